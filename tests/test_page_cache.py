"""Readers' pages come from the shared cache, and any write shows on the very next read."""

import pytest
from django.core.cache import cache

from comments import discussion
from sources import moderation
from sources.endorsements import set_endorsement
from sources.page_cache import VERSION_KEY, current_version, library_changed

from .factories import MemberFactory, ModeratorFactory, ProposalFactory, SourceFactory

pytestmark = pytest.mark.django_db


def read(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_a_readers_second_visit_is_the_cached_page(client, theme, django_assert_num_queries):
    SourceFactory(title="Cached once", themes=[theme])
    first = read(client, "/")

    with django_assert_num_queries(1):  # the library's version and the page, in one query
        second = read(client, "/")

    assert second == first
    assert "Cached once" in second


def test_an_approval_shows_on_the_next_read(client, theme):
    proposal = ProposalFactory(title="Waiting in the queue", themes=[theme])
    assert "Waiting in the queue" not in read(client, theme.get_absolute_url())

    moderation.approve(source=proposal, moderator=ModeratorFactory())

    assert "Waiting in the queue" in read(client, theme.get_absolute_url())


def test_an_endorsement_shows_on_the_next_read(client, theme):
    source = SourceFactory(themes=[theme])
    assert "0 endorsements" in read(client, source.get_absolute_url())

    set_endorsement(source=source, member=MemberFactory(), endorse=True)

    assert "1 endorsement" in read(client, source.get_absolute_url())


def test_a_comment_shows_on_the_next_read(client, theme):
    read(client, theme.get_absolute_url())

    discussion.post(author=MemberFactory(), target=theme, body="Fresh from the discussion")

    assert "Fresh from the discussion" in read(client, theme.get_absolute_url())


def test_an_edit_shows_on_the_next_read(client, theme):
    source = SourceFactory(title="Old wording", themes=[theme])
    read(client, "/sources/")

    moderation.edit(
        source=source,
        editor=ModeratorFactory(),
        fields={"title": "New wording"},
        themes=[theme],
        tags=[],
    )

    page = read(client, "/sources/")
    assert "New wording" in page
    assert "Old wording" not in page


def test_a_profile_change_shows_on_the_next_read(client, theme):
    proposer = MemberFactory(display_name="Before Rename")
    source = SourceFactory(themes=[theme], proposer=proposer)
    assert "Before Rename" in read(client, source.get_absolute_url())

    proposer.display_name = "After Rename"
    proposer.save()

    assert "After Rename" in read(client, source.get_absolute_url())


def test_signed_in_members_get_their_own_fresh_page(client, theme):
    source = SourceFactory(themes=[theme])
    read(client, source.get_absolute_url())  # cached for readers
    client.force_login(MemberFactory())

    page = read(client, source.get_absolute_url())

    assert "Endorse this source" in page
    assert "Log out" in page


def test_cached_pages_vary_on_cookies(client, theme):
    response = client.get(theme.get_absolute_url())

    assert "Cookie" in response["Vary"]


def test_a_missing_page_is_not_cached(client, theme):
    assert client.get("/sources/not-yet-here/").status_code == 404
    SourceFactory(slug="not-yet-here", themes=[theme])

    assert client.get("/sources/not-yet-here/").status_code == 200


def test_the_version_moves_again_when_the_transaction_commits(django_capture_on_commit_callbacks):
    before = current_version()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        library_changed()
        during = cache.get(VERSION_KEY)

    assert during != before
    assert len(callbacks) == 1
    assert cache.get(VERSION_KEY) not in (before, during)
