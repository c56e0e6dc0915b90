"""What each reader's page is keyed by: one query each, read from indexes (qlibrary/cache.py).

A key is a tuple of the cache generation and the newest `updated_at` of what the page shows:
- anything that lists the library (home, browse, search, a theme's or a tag's sources, the map,
  the feeds, the API's list) follows the newest change to any source, read from the end of the
  `source_updated_at` index (the home page also the themes', for their cards); a listing's keys
  begin with the generation and the newest change to any source's record (`records()`), which
  what it is filtered and counted by follows: a comment or an endorsement moves a source's
  `updated_at` (its card shows their counts) but not its record;
- a source's page follows its own row and the sources it names (its successor, those it
  supersedes);
- a theme's page follows the library, its own row and the reading lists it features.
Each function returns None when nothing is at that address (the view then answers 404).
"""

import functools
from datetime import UTC, datetime

from django.db import connection

from qlibrary.db import prepared_cursor
from qlibrary.models import CacheGeneration
from sources.lists.models import FeaturedList, ListItem, ReadingList
from sources.models import Endorsement, Source, Theme


def _tables():
    from django.contrib.auth import get_user_model

    return {
        "generation": CacheGeneration._meta.db_table,
        "source": Source._meta.db_table,
        "endorsement": Endorsement._meta.db_table,
        "theme": Theme._meta.db_table,
        "reading_list": ReadingList._meta.db_table,
        "featured": FeaturedList._meta.db_table,
        "item": ListItem._meta.db_table,
        "member": get_user_model()._meta.db_table,
    }


# Every key begins with the cache generation.
COMMON = "(SELECT number FROM {generation} WHERE id = 1)"
NEWEST_SOURCE = "(SELECT MAX(updated_at) FROM {source})"
NEWEST_RECORD = "(SELECT MAX(record_updated_at) FROM {source})"


def query(sql, params=(), **tables):
    """One row of `sql`, in which {common}, {newest_source} and {<table>} (the names of
    `_tables()`, and of `tables`) are filled in; values only ever come in `params`."""
    sql = _filled(sql, tuple(sorted(tables.items())))
    with prepared_cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return None if row is None else tuple(_as_value(value) for value in row)


@functools.cache
def _filled(sql, tables):
    """`sql` with its names filled in, once per process: every reader's page runs one of these."""
    named = {"common": COMMON, "newest_record": NEWEST_RECORD, "newest_source": NEWEST_SOURCE}
    return sql.format(**named).format(**_tables(), **dict(tables))


def _as_value(value):
    """SQLite gives a MAX() of times as text and times without their zone (UTC, as stored)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def common():
    """The cache generation: the start of every page's key, and what a source's card is keyed
    by besides its own row."""
    return query("SELECT {common}")


def library():
    """Browse and search, tags, the map, the new-sources feed, the API's list."""
    return query("SELECT {common}, {newest_record}, {newest_source}")


def records(page_key):
    """The start of the key of a page that lists the library (`library()`, `home()`, `theme()`):
    the generation and the newest change to any source's record. A listing's filter options and
    counts, and the map, follow it alone."""
    return page_key[:2]


def endorsements():
    """The number of endorsements and the newest one's time: the map's key besides the records
    (an endorsement taken back leaves one fewer; one given, a newer time)."""
    return query("SELECT COUNT(*), MAX(created_at) FROM {{endorsement}}")


def home():
    """The library, and the themes' cards (their comments counted): the generation, the newest
    record, the themes' newest change, the newest source."""
    return query(
        "SELECT {common}, {newest_record}, (SELECT MAX(updated_at) FROM {{theme}}), {newest_source}"
    )


def themes(home_key):
    """What the home page's theme cards follow, from its key: the records (their sources
    counted) and the themes' rows (their comments counted), not the newest source."""
    return home_key[:3]


def source(slug):
    return query(
        """SELECT {common}, s.updated_at, successor.updated_at,
            (SELECT MAX(older.updated_at) FROM {{source}} older
             WHERE older.superseded_by_id = s.id)
        FROM {{source}} s LEFT JOIN {{source}} successor ON successor.id = s.superseded_by_id
        WHERE s.slug = %s""",
        [slug],
    )


def theme(slug):
    """A theme's page and feed: its discussion touches its row, a featured list's change its
    own row."""
    return query(
        """SELECT {common}, {newest_record}, {newest_source}, t.updated_at,
            (SELECT MAX(l.updated_at) FROM {{reading_list}} l
             JOIN {{featured}} f ON f.reading_list_id = l.id WHERE f.theme_id = t.id)
        FROM {{theme}} t WHERE t.slug = %s""",
        [slug],
    )


def reading_list(slug):
    """A reading list's page: its row (notes, order and followers touch it) and the rows of its
    sources (a retraction or a broken link touches its source)."""
    return query(
        """SELECT {common}, l.id, l.updated_at,
            (SELECT COUNT(*) FROM {{item}} i WHERE i.reading_list_id = l.id),
            (SELECT MAX(s.updated_at) FROM {{item}} i JOIN {{source}} s ON s.id = i.source_id
             WHERE i.reading_list_id = l.id)
        FROM {{reading_list}} l WHERE l.slug = %s""",
        [slug],
    )


def selection(ids):
    """A reader's selection: how many of these sources are in the library, and their newest
    change (a withdrawal changes the first; an edit, a retraction or a broken link the second)."""
    sql = "SELECT {common}, COUNT(*), MAX(updated_at) FROM {{source}} WHERE status = %s AND "
    if connection.vendor == "postgresql":
        # The ids as one array: one statement, prepared once, whatever their number (psycopg
        # parses a statement of over 50 parameters afresh each time: 2 ms for 200).
        return query(sql + "id = ANY(%s)", [Source.Status.APPROVED, list(ids)])
    placeholders = ", ".join(["%s"] * len(ids)) or "NULL"  # values only ever as parameters
    return query(sql + f"id IN ({placeholders})", [Source.Status.APPROVED, *ids])


def member(username):
    """A member's profile: their sources (the library) and their reading lists."""
    return query(
        """SELECT {common}, {newest_source},
            (SELECT COUNT(*) FROM {{reading_list}} l WHERE l.owner_id = u.id),
            (SELECT MAX(l.updated_at) FROM {{reading_list}} l WHERE l.owner_id = u.id)
        FROM {{member}} u WHERE u.username = %s AND u.is_active""",
        [username],
    )
