"""Two helpers for the queries of pages read most: a cursor for the few statements every request
runs, prepared on PostgreSQL; and the columns to leave out of a related row read with a page's
own (`defer_all_but`).

Django binds query parameters on the client, so PostgreSQL plans every statement it is sent:
for a page's key (sources/library/page_keys.py) or the signed-in member with their roles
(qlibrary/auth_backends.py), planning took most of the 0.5 to 0.6 ms each cost. A cursor that
binds on the server lets psycopg prepare a statement once a connection has run it a few times
(`prepare_threshold` in settings.DATABASES), after which it costs 0.1 to 0.15 ms. It is wrapped
as Django wraps its own cursors, so its queries are logged and counted like the others.
"""

import functools

from django.db import connection


def prepared_cursor():
    """A cursor whose statements PostgreSQL prepares; elsewhere, Django's own."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    import psycopg

    connection.ensure_connection()
    return connection._prepare_cursor(psycopg.Cursor(connection.connection))


@functools.cache
def defer_all_but(model, relation, shown):
    """The names to give `.defer()` so that, of the row `relation` points to (read with
    `select_related`), only the fields `shown` are read: building a member's whole row for their
    name cost more than the query it came in. Worked out once per process: `shown` is a tuple."""
    related = model._meta.get_field(relation).related_model
    return tuple(
        f"{relation}__{field.name}"
        for field in related._meta.concrete_fields
        if field.name not in shown
    )
