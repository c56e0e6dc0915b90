"""Following themes and sources: the buttons, the "Following" page, and the weekly digest that
goes through the outbox once a week, only with news, and never to a member who opted out."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from qlibrary.outbox.models import OutgoingEmail
from sources.checks import retractions
from sources.library import following
from sources.models import Follow
from sources.proposals import moderation

from .factories import MemberFactory, ProposalFactory, SourceFactory

pytestmark = pytest.mark.django_db

MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_a_member_follows_and_unfollows_a_theme(client, member, theme):
    client.force_login(member)
    url = reverse("sources:follow_theme", args=[theme.slug])

    response = client.post(url, follow=True)
    client.post(url)  # a double click changes nothing

    assert Follow.objects.filter(member=member, theme=theme).count() == 1
    assert "sources added to it will reach you in your weekly digest" in response.content.decode()
    assert 'aria-pressed="true"' in client.get(theme.get_absolute_url()).content.decode()

    client.post(url, {"follow": "0"})
    assert not Follow.objects.filter(member=member).exists()


def test_the_follow_buttons_show_each_change_on_the_next_read(client, member, theme, source):
    """What a member follows is kept (sources/library/following.py `followed`; a member's page is
    always rendered, from kept parts): following through the service, and a follow deleted as the
    admin does, show on the very next read of each page, and one member's follows never show on
    another's."""
    client.force_login(member)
    other = Client()
    other.force_login(MemberFactory())

    def pressed(url, viewer=client):
        return 'aria-pressed="true"' in viewer.get(url).content.decode()

    theme_url, source_url = theme.get_absolute_url(), source.get_absolute_url()
    assert not pressed(theme_url) and not pressed(source_url)

    following.set_follow(member=member, follow=True, theme=theme)
    assert pressed(theme_url) and not pressed(source_url)
    following.set_follow(member=member, follow=True, source=source)
    assert pressed(source_url)
    assert not pressed(theme_url, other) and not pressed(source_url, other)

    Follow.objects.filter(member=member, theme=theme).delete()  # a queryset delete, as in the admin
    assert not pressed(theme_url) and pressed(source_url)


def test_following_needs_a_verified_member(client, unverified, source):
    url = reverse("sources:follow_source", args=[source.slug])
    assert "/accounts/login/" in client.post(url)["Location"]
    client.force_login(unverified)
    assert client.post(url).status_code == 403
    assert not Follow.objects.exists()


def test_open_proposals_cannot_be_followed(client, member, proposal):
    client.force_login(member)
    response = client.post(reverse("sources:follow_source", args=[proposal.slug]))
    assert response.status_code == 404
    assert not Follow.objects.exists()


def test_following_page_lists_follows_and_their_news(
    client, member, moderator, theme, themes, proposer
):
    followed_source = SourceFactory(title="Followed report", themes=[themes[1]])
    following.set_follow(member=member, theme=theme, follow=True)
    following.set_follow(member=member, source=followed_source, follow=True)
    in_theme = ProposalFactory(title="New in the theme", proposer=proposer, themes=[theme])
    elsewhere = ProposalFactory(title="New elsewhere", proposer=proposer, themes=[themes[2]])
    moderation.approve(source=in_theme, moderator=moderator)
    moderation.approve(source=elsewhere, moderator=moderator)
    retractions.record_updates(
        source=followed_source, entries=[{"type": "retraction", "DOI": "10.1/notice"}]
    )
    client.force_login(member)

    page = client.get(reverse("sources:following")).content.decode()

    assert "Theme: <a" in page and "Source: <a" in page
    assert "Approved: <a" in page and "New in the theme" in page
    assert "Retraction found: <a" in page
    assert "New elsewhere" not in page


def test_following_page_empty_state(client, member):
    client.force_login(member)
    assert "You follow nothing yet." in client.get(reverse("sources:following")).content.decode()


def test_weekly_digest_once_a_week_only_with_news(
    member, moderator, theme, proposer, mailoutbox, django_capture_on_commit_callbacks
):
    following.set_follow(member=member, theme=theme, follow=True)
    with time_machine.travel(MONDAY, tick=False):
        moderation.approve(
            source=ProposalFactory(title="Week one", proposer=proposer, themes=[theme]),
            moderator=moderator,
        )
    with (
        time_machine.travel(MONDAY + timedelta(days=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        call_command("send_digests", stdout=None)
        call_command("send_digests", stdout=None)  # the scheduler runs it often

    (digest,) = [m for m in mailoutbox if m.to == [member.email]]
    assert "Week one" in digest.body
    assert "untick the digest in your profile" in digest.body
    assert OutgoingEmail.objects.filter(kind="digest").count() == 1

    with (
        time_machine.travel(MONDAY + timedelta(days=8, hours=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert following.send_digests() == 0  # a week without news: no e-mail
    with time_machine.travel(MONDAY + timedelta(days=9), tick=False):
        moderation.approve(
            source=ProposalFactory(title="Week two", proposer=proposer, themes=[theme]),
            moderator=moderator,
        )
    with (
        time_machine.travel(MONDAY + timedelta(days=15, hours=2), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert following.send_digests() == 1

    bodies = [m.body for m in mailoutbox if m.subject.startswith("[Q Library] This week")]
    assert len(bodies) == 2
    assert "Week two" in bodies[1] and "Week one" not in bodies[1]


def test_no_digest_for_a_member_who_opted_out(client, member, moderator, theme, proposer):
    following.set_follow(member=member, theme=theme, follow=True)
    client.force_login(member)
    client.post(
        reverse("edit_profile"),
        {"display_name": "Mia Member", "notify_replies": "on", "weekly_digest": ""},
    )
    member.refresh_from_db()
    assert member.weekly_digest is False
    moderation.approve(
        source=ProposalFactory(proposer=proposer, themes=[theme]), moderator=moderator
    )

    assert following.send_digests() == 0
    assert not OutgoingEmail.objects.filter(kind="digest").exists()


@pytest.mark.parametrize("count", [1, 10])
def test_following_page_query_count(
    client, member, moderator, proposer, theme, assert_db_queries, count
):
    following.set_follow(member=member, theme=theme, follow=True)
    for number in range(count):
        source = SourceFactory(title=f"Followed {number}")
        following.set_follow(member=member, source=source, follow=True)
        moderation.approve(
            source=ProposalFactory(proposer=proposer, themes=[theme]), moderator=moderator
        )
    client.force_login(member)

    # The member with their roles and the page's own two (the session comes from the cache), and
    # the reading lists' three: lists followed, their changes, what the member was told.
    with assert_db_queries(6):
        response = client.get(reverse("sources:following"))

    assert response.content.decode().count("Approved: <a") == count


def test_is_following_answers_from_the_follows_table(member, other_member, theme, source):
    # Its two statements are written out (prepared, on every member's theme and source page).
    assert f"FROM {Follow._meta.db_table} " in following.FOLLOWS_THEME
    assert f"FROM {Follow._meta.db_table} " in following.FOLLOWS_SOURCE
    following.set_follow(member=member, theme=theme, follow=True)

    assert following.is_following(member, theme=theme)
    assert not following.is_following(member, source=source)
    assert not following.is_following(other_member, theme=theme)
    following.set_follow(member=member, source=source, follow=True)
    assert following.is_following(member, source=source)
    following.set_follow(member=member, theme=theme, follow=False)
    assert not following.is_following(member, theme=theme)
