"""The pages the other query-count tests leave out (feeds, the review page, the proposer's edit
form and profile editing) also run the same literal number of queries with few and many rows
(the review page one fewer for a short discussion, which is read whole)."""

import pytest
from django.conf import settings

from comments.discussion import SHORT_DISCUSSION, post
from sources.proposals import moderation
from sources.proposals.endorsements import set_endorsement

from .factories import CommentFactory, MemberFactory, ProposalFactory, SourceFactory

SIZES = [1, 30]
# Feeds come from the page cache: a first read costs the feed's key (sources/library/page_keys.py)
# besides the cache's own reads (not counted: tests/conftest.py `assert_db_queries`).
FEED_CACHE_MISS = 1


@pytest.fixture
def library(themes):
    """`library(n)`: n approved sources in the first theme, each with tags and two comments."""

    def make(number):
        author = MemberFactory(username="commenter")
        sources = []
        for index in range(number):
            source = SourceFactory(
                title=f"Feed source {index}", themes=themes[:2], tags=[f"t{index}", "shared"]
            )
            CommentFactory(source=source, author=author)
            CommentFactory(theme=themes[0], author=author)
            sources.append(source)
        return sources

    return make


def get(client, url, assert_db_queries, queries):
    with assert_db_queries(queries):
        response = client.get(url)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("number", SIZES)
def test_new_sources_feed(client, library, number, assert_db_queries):
    library(number)

    response = get(client, "/feeds/sources/", assert_db_queries, FEED_CACHE_MISS + 1)

    assert response.content.count(b"<entry>") == number


@pytest.mark.parametrize("number", SIZES)
def test_theme_feed(client, library, themes, number, assert_db_queries):
    library(number)

    response = get(
        client, f"/themes/{themes[0].slug}/feed/", assert_db_queries, FEED_CACHE_MISS + 3
    )

    assert response.content.count(b"<entry>") == min(3 * number, 30)


@pytest.mark.parametrize("number", SIZES)
def test_review_page(client, moderator, proposer, themes, number, assert_db_queries):
    """However many similar sources, endorsers, comments and past decisions the proposal has."""
    for index in range(number):
        SourceFactory(
            title=f"Network evaluation {index}",
            url=f"https://example.org/evaluations/{index}",
            themes=themes[:1],
        )
    proposal = ProposalFactory(
        title="Network evaluation",
        url="https://example.org/network-evaluation",
        proposer=proposer,
        themes=themes[:2],
        tags=["a", "b"],
    )
    for index in range(number):
        endorser = MemberFactory(username=f"endorser{index}")
        set_endorsement(source=proposal, member=endorser, endorse=True)
        post(author=endorser, target=proposal, body=f"Comment {index}.")
    moderation.request_changes(source=proposal, moderator=moderator, reason="Add the year.")
    moderation.edit(
        source=proposal,
        editor=proposer,
        fields={"year": 2020},
        themes=themes[:1],
        tags=["a"],
        resubmit=True,
    )
    client.force_login(moderator)

    # 13 with the proposer's record (one aggregate); the link's health comes with the source. A
    # short discussion is read whole, in one query instead of two (comments/discussion.py).
    queries = 12 if number < SHORT_DISCUSSION else 13
    response = get(client, f"/moderation/{proposal.slug}/", assert_db_queries, queries)

    assert len(response.context["similar"]) == min(number, 5)
    assert len(response.context["same_site"]) == min(number, 5)
    assert len(response.context["endorsements"]) == number
    assert len(response.context["discussion"].threads) == min(
        number, settings.LATEST_COMMENT_THREADS
    )
    assert [change.label for change in response.context["changes"]] == ["Year", "Themes", "Tags"]
    assert response.context["proposer_record"].proposed == 1


@pytest.mark.parametrize("number", SIZES)
def test_proposers_edit_form(client, proposer, themes, number, assert_db_queries):
    for index in range(number):
        SourceFactory(title=f"Other source {index}", themes=themes)
    proposal = ProposalFactory(proposer=proposer, themes=themes, tags=["a", "b"])
    client.force_login(proposer)

    get(client, f"/sources/{proposal.slug}/edit/", assert_db_queries, 5)


@pytest.mark.parametrize("number", SIZES)
def test_profile_edit_form(client, member, library, number, assert_db_queries):
    library(number)
    client.force_login(member)

    get(client, "/me/profile/", assert_db_queries, 1)
