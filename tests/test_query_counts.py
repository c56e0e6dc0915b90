"""Every listing and detail page costs the same number of queries with 1 source as with 30.

A reader's visit here is a cache miss. The counts are of database queries, not of the reads and
writes of the database cache tables (Redis in production: tests/conftest.py `assert_db_queries`);
every page first reads its key (one query: sources/library/page_keys.py), and a second visit
costs CACHE_HIT: the key, then the page from this process's copy of the cache. A member's page
is rendered afresh and never touches the page cache.
"""

import pytest
from django.urls import reverse

from .factories import SourceFactory, UserFactory

pytestmark = pytest.mark.django_db

SIZES = [1, 30]
CACHE_HIT = 1
# The counts below hold the queries of derived values worked out once per change of the library
# (theme counts, filter options) and of the cards rendered on a miss (sources/library/cards.py).
# Theme and source pages show their discussion: without comments, that is one query (the count
# of threads); test_comment_query_counts.py covers discussions with comments.
EMPTY_DISCUSSION = 1


@pytest.fixture
def make_library(themes):
    """`count` approved sources by one proposer, each in two themes with three tags."""

    def make(count):
        proposer = UserFactory(username="proposer")
        return [
            SourceFactory(
                title=f"Kaizen study {number}",
                themes=themes[:2],
                tags=["shared", f"topic-{number}", f"extra-{number}"],
                endorsement_count=number + 1,
                proposer=proposer,
            )
            for number in range(count)
        ]

    return make


def assert_same_cost(client, assert_db_queries, url, queries):
    with assert_db_queries(queries):
        response = client.get(url)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("count", SIZES)
def test_home_query_count(client, assert_db_queries, make_library, count):
    make_library(count)

    response = assert_same_cost(client, assert_db_queries, reverse("home"), 6)

    assert len(response.context["recent"]) == min(count, 6)


@pytest.mark.parametrize("count", SIZES)
def test_theme_page_query_count(client, assert_db_queries, make_library, theme, count):
    make_library(count)

    response = assert_same_cost(
        client,
        assert_db_queries,
        theme.get_absolute_url(),
        # The lists it features come with its row; a page's ids are read before its rows, which
        # hold what the cards show.
        12 + EMPTY_DISCUSSION,
    )

    assert response.context["page"].paginator.count == count


@pytest.mark.parametrize("count", SIZES)
def test_source_page_query_count(client, assert_db_queries, make_library, count):
    source = make_library(count)[0]

    # Its key and its row with its proposer (sources/library/views.py `source_detail`), then
    # what its facts add (`source_facts`): its themes and tags, and its endorsers' perspectives;
    # then the (empty) discussion.
    response = assert_same_cost(
        client,
        assert_db_queries,
        source.get_absolute_url(),
        5 + EMPTY_DISCUSSION,
    )

    assert response.context["source"] == source


@pytest.mark.parametrize("count", SIZES)
def test_a_source_page_rendered_again_reads_nothing(
    client, assert_db_queries, make_library, settings, count
):
    """Its key and its row; its facts and its discussion are fragments under its key
    (sources/library/views.py `source_facts`, comments/discussion.py `on_page`)."""
    settings.PAGE_CACHE = False
    source = make_library(count)[0]
    first = client.get(source.get_absolute_url())

    again = assert_same_cost(client, assert_db_queries, source.get_absolute_url(), 2)

    assert again.content == first.content


@pytest.mark.parametrize("count", SIZES)
def test_source_page_query_count_for_a_member(
    client, assert_db_queries, make_library, member, count
):
    source = make_library(count)[0]
    client.force_login(member)

    # Beyond a reader's: the member with their roles (one query:
    # qlibrary/auth_backends.py; their session comes from the cache), whether they have endorsed
    # the source and whether they follow it; then the (empty) discussion.
    assert_same_cost(
        client,
        assert_db_queries,
        source.get_absolute_url(),
        8 + EMPTY_DISCUSSION,
    )


@pytest.mark.parametrize("count", SIZES)
def test_a_source_page_rendered_again_for_a_member_reads_only_what_is_theirs(
    client, assert_db_queries, make_library, member, count
):
    source = make_library(count)[0]
    client.force_login(member)
    client.get(source.get_absolute_url())

    # The member with their roles, the page's key and the source's row, whether they have
    # endorsed the source and whether they follow it; its facts and its discussion's threads
    # are fragments (comments/discussion.py `on_page`).
    assert_same_cost(client, assert_db_queries, source.get_absolute_url(), 5)


@pytest.mark.parametrize("count", SIZES)
def test_browse_page_query_count(client, assert_db_queries, make_library, count):
    make_library(count)

    # A page's ids are read before its rows (a deep page's offset walks an index), which hold
    # what the cards show.
    response = assert_same_cost(client, assert_db_queries, reverse("sources:list"), 10)

    assert response.context["page"].paginator.count == count


@pytest.mark.parametrize("count", SIZES)
def test_search_results_query_count(client, assert_db_queries, make_library, count):
    make_library(count)
    url = reverse("sources:list") + "?q=kaizen"

    response = assert_same_cost(client, assert_db_queries, url, 9)

    assert response.context["page"].paginator.count == count


@pytest.mark.parametrize("count", SIZES)
def test_tag_page_query_count(client, assert_db_queries, make_library, count):
    make_library(count)
    url = reverse("sources:tag", args=["shared"])

    response = assert_same_cost(client, assert_db_queries, url, 11)  # ids, then rows

    assert response.context["page"].paginator.count == count


@pytest.mark.parametrize("count", SIZES)
def test_profile_page_query_count(client, assert_db_queries, make_library, count):
    make_library(count)
    url = reverse("profile", args=["proposer"])

    # With the member's public reading lists (sources/lists).
    response = assert_same_cost(client, assert_db_queries, url, 6)

    assert len(response.context["contributions"]) == count


@pytest.mark.parametrize("count", SIZES)
def test_a_second_visit_is_served_from_the_cache(
    client, django_assert_num_queries, make_library, theme, count
):
    make_library(count)
    first = client.get(theme.get_absolute_url())

    with django_assert_num_queries(CACHE_HIT):
        second = client.get(theme.get_absolute_url())

    assert second.content == first.content


@pytest.mark.parametrize("count", SIZES)
def test_api_sources_query_count(client, assert_db_queries, make_library, count):
    """The API's list reads its key, its page of ids, then the data of the sources not cached
    yet (three queries: rows, themes, tags); the next read reads its key and finds the page a
    fragment under it (sources/opendata/api.py)."""
    make_library(count)

    first = assert_same_cost(client, assert_db_queries, "/api/sources/", 5)
    again = assert_same_cost(client, assert_db_queries, "/api/sources/", 1)

    assert len(first.json()["results"]) == count
    assert again.json() == first.json()
