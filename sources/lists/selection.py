"""A reader's selection: sources collected from any card, kept in the session (no account).

The session holds the ids in the order they were added. Only sources in the library can be
selected; one that has left the library since is dropped when the selection is read.
"""

from sources.lists.bibliography import with_records
from sources.models import Source

SESSION_KEY = "selection"
LIMIT = 200
# A cookie scripts may read, holding only the number selected, so the header's count can be
# shown on pages that are the same for every reader (and cached whole in the page cache).
COUNT_COOKIE = "selection_count"


class SelectionFull(Exception):
    pass


FULL = (
    f"Your selection is full: it holds at most {LIMIT} sources. Remove some, or save it as a "
    "reading list, before adding more. Nothing was added."
)


def selected_ids(session):
    """The selected sources' ids, in the order they were added."""
    ids = session.get(SESSION_KEY, [])
    return [value for value in ids if isinstance(value, int)] if isinstance(ids, list) else []


def count(session):
    return len(selected_ids(session))


def add(session, source):
    """Add a source (once); raise SelectionFull when the limit is reached. Returns the count."""
    ids = selected_ids(session)
    if source.pk in ids:
        return len(ids)
    if len(ids) >= LIMIT:
        raise SelectionFull(FULL)
    session[SESSION_KEY] = [*ids, source.pk]
    return len(ids) + 1


def remove(session, source):
    """Take a source out; doing it twice is harmless. Returns the count."""
    ids = [pk for pk in selected_ids(session) if pk != source.pk]
    session[SESSION_KEY] = ids
    return len(ids)


def clear(session):
    session[SESSION_KEY] = []


def sources(session, *, tags=False):
    """The selected sources still in the library, in the selection's order, with what their
    citations and banners read (with `tags`, what their files' records read too), in a fixed
    number of queries."""
    ids = selected_ids(session)
    if not ids:
        return []
    selected = Source.objects.approved().filter(pk__in=ids)
    found = {source.pk: source for source in with_records(selected, tags=tags)}
    return [found[pk] for pk in ids if pk in found]
