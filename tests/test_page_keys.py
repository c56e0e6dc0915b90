"""A page's key is one query, counted like any other, and prepared on PostgreSQL."""

import pytest
from django.db import connection

from sources.library import page_keys
from sources.models import Source

from .factories import SourceFactory


@pytest.mark.django_db
def test_a_key_is_one_counted_query_and_names_what_it_follows(assert_db_queries):
    source = SourceFactory()
    source.refresh_from_db()
    with assert_db_queries(1):
        key = page_keys.source(source.slug)
    assert key[1] == source.updated_at
    assert page_keys.source("no-such-source") is None


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements: PostgreSQL")
def test_on_postgresql_a_key_run_often_is_prepared_once():
    source = SourceFactory()
    keys = {page_keys.source(source.slug) for _ in range(8)}
    assert len(keys) == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [statement for (statement,) in cursor.fetchall()]
    assert sum("older.superseded_by_id" in statement for statement in prepared) == 1


@pytest.mark.django_db
def test_a_selections_key_counts_its_sources_in_the_library_and_their_newest_change():
    sources = [SourceFactory() for _ in range(3)]
    proposal = SourceFactory(status=Source.Status.PROPOSED)
    ids = [source.pk for source in [*sources, proposal]] + [10**9]
    _, count, newest = page_keys.selection(ids)
    assert count == 3
    assert newest == max(Source.objects.get(pk=s.pk).updated_at for s in sources)
    assert page_keys.selection([])[1] == 0


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements: PostgreSQL")
def test_on_postgresql_a_selections_key_is_one_statement_whatever_its_size():
    ids = [SourceFactory().pk for _ in range(3)]
    for size in (1, 2, 3, 60, 200, 3, 1):
        page_keys.selection((ids * 70)[:size])
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [statement for (statement,) in cursor.fetchall()]
    assert sum("id = ANY(" in statement for statement in prepared) == 1
