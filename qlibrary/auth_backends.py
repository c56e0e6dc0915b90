"""The one authentication backend: allauth's, checking each account's password at most once."""

import functools

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from qlibrary.db import prepared_cursor
from sources.access import MODERATE


class AuthenticationBackend(AllauthBackend):
    """allauth's backend (username or e-mail, is_active, permissions), with one password check
    per account and attempt.

    An e-mail address typed at the log-in is tried as an address and, since a username may look
    like one, as a username too: allauth would then hash a wrong password twice against the same
    account, a right one once, and an unknown address once, so the answer's time would tell a
    right password from a wrong one. Skipping the repeat makes every attempt cost one hash.
    """

    def authenticate(self, request, **credentials):
        self._checked_accounts = set()
        return super().authenticate(request, **credentials)

    def _check_password(self, user, password):
        if user is not None:
            if user.pk in self._checked_accounts:
                return None  # Already refused in this attempt: the same password, the same hash.
            self._checked_accounts.add(user.pk)
        return super()._check_password(user, password)

    def get_user(self, user_id):
        """The signed-in person, read with the two roles every page asks about them
        (sources/access.py): whether their e-mail address is verified, and whether they hold the
        moderators' permission directly or through a group. One query instead of four.

        Written as SQL because it runs on every member's request: the same query through the ORM
        (two `Exists` annotations, one over five joins) cost 3 ms a request to compile, four
        times what the database takes to answer it."""
        user = _user_with_roles(user_id)
        if user is None:
            return None
        user.has_verified_email = bool(user.has_verified_email)
        user.holds_moderator_permission = bool(user.holds_moderator_permission)
        return user if self.user_can_authenticate(user) else None


ROLES = ("has_verified_email", "holds_moderator_permission")


def _user_with_roles(user_id):
    """The user with their roles as attributes, or None. On PostgreSQL the statement is
    prepared (qlibrary/db.py) and the row, whose values psycopg gives as Python's, made into a
    user as Django makes one; elsewhere read through Django's raw(), which converts SQLite's
    values."""
    app_label, codename = MODERATE.split(".")
    params = [codename, app_label, user_id]
    user_model = get_user_model()
    if connection.vendor != "postgresql":
        return next(iter(user_model.objects.raw(_user_with_roles_sql(), params)), None)
    with prepared_cursor() as cursor:
        cursor.execute(_user_with_roles_sql(), params)
        row = cursor.fetchone()
        columns = [column.name for column in cursor.description]
    if row is None:
        return None
    values = dict(zip(columns, row, strict=True))
    fields = user_model._meta.concrete_fields
    user = user_model.from_db(
        connection.alias, [field.attname for field in fields], [values[f.column] for f in fields]
    )
    for role in ROLES:
        setattr(user, role, values[role])
    return user


@functools.cache
def _user_with_roles_sql():
    """The user with has_verified_email and holds_moderator_permission, from the models' own
    table names (the link tables' columns are Django's and allauth's); its parameters are the
    permission's codename and app label, then the user's primary key."""
    user_model = get_user_model()
    user_permissions = user_model.user_permissions.through._meta
    user_groups = user_model.groups.through._meta
    group_permissions = Group.permissions.through._meta
    # Only the models' table and column names are written in; every value is a parameter.
    return f"""
        SELECT u.*,
          EXISTS (
            SELECT 1 FROM {EmailAddress._meta.db_table} e
            WHERE e.user_id = u.{user_model._meta.pk.column} AND e.verified
          ) AS has_verified_email,
          EXISTS (
            SELECT 1 FROM {Permission._meta.db_table} p
            JOIN {ContentType._meta.db_table} t ON t.id = p.content_type_id
            WHERE p.codename = %s AND t.app_label = %s AND (
              EXISTS (
                SELECT 1 FROM {user_permissions.db_table} up
                WHERE up.permission_id = p.id AND up.user_id = u.{user_model._meta.pk.column}
              )
              OR EXISTS (
                SELECT 1 FROM {group_permissions.db_table} gp
                JOIN {user_groups.db_table} ug ON ug.group_id = gp.group_id
                WHERE gp.permission_id = p.id AND ug.user_id = u.{user_model._meta.pk.column}
              )
            )
          ) AS holds_moderator_permission
        FROM {user_model._meta.db_table} u
        WHERE u.{user_model._meta.pk.column} = %s
    """  # noqa: S608
