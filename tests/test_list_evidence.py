"""Lists follow the evidence: what the checks find about a source reaches the owners of the
lists holding it, once each (an e-mail through the outbox and their "Following" page), and the
weekly digest carries the changes of the lists a member follows."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from qlibrary.outbox.models import OutgoingEmail
from sources.checks import link_health, retractions
from sources.library import following
from sources.lists import services
from sources.lists.alerts import notify_owners_of
from sources.lists.models import OwnerAlert, ReadingList
from sources.proposals import moderation, reviews

from .factories import MemberFactory, SourceFactory

pytestmark = pytest.mark.django_db

RETRACTION = [{"type": "retraction", "DOI": "10.1/notice"}]


@pytest.fixture
def owner(db):
    return MemberFactory(username="owner", display_name="Olive Owner")


@pytest.fixture
def listed(theme, owner):
    """A source with a DOI in two of the owner's lists (one public) and a stranger's list."""
    source = SourceFactory(title="A trial", doi="10.1/trial", themes=[theme])
    for title in ("First list", "Second list"):
        services.create_list(owner=owner, title=title, visibility="public", sources=[source])
    services.create_list(owner=MemberFactory(username="stranger"), title="Theirs", sources=[source])
    return source


def alerts_to(member):
    return OutgoingEmail.objects.filter(kind="list_alert", to=[member.email])


def test_a_retraction_found_later_shows_on_the_list_and_reaches_its_owner_once(
    client, owner, listed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        retractions.record_updates(source=listed, entries=RETRACTION)
    with django_capture_on_commit_callbacks(execute=True):
        retractions.record_updates(source=listed, entries=RETRACTION)  # the check runs again

    emails = alerts_to(owner)
    assert emails.count() == 1
    body = emails.get().body
    assert "has been retracted" in body and "“First list”, “Second list”" in body
    assert alerts_to(MemberFactory(username="stranger")).count() == 1
    assert OwnerAlert.objects.filter(owner=owner, source=listed, what="retraction").count() == 1

    page = client.get(ReadingList.objects.get(title="First list").get_absolute_url())
    assert "<strong>Retracted.</strong>" in page.content.decode()
    client.force_login(owner)
    following_page = client.get(reverse("sources:following")).content.decode()
    assert "About the sources in your reading lists" in following_page
    assert "Retracted: <a" in following_page


def test_a_link_newly_broken_tells_the_owner_once(owner, listed, settings):
    settings.LINK_BROKEN_AFTER_FAILURES = 1
    settings.LINK_BROKEN_AFTER_DAYS = 0
    failed = link_health.Probe(outcome="failed", status_code=404, error="404 Not Found")
    now = timezone.now()
    assert link_health.record(source=listed, found=failed, now=now)
    link_health.record(source=listed, found=failed, now=now + timedelta(days=1))
    assert [email.subject for email in alerts_to(owner)] == [
        "[Q Library] A source in your reading list: broken link"
    ]


def test_superseded_and_retired_sources_tell_the_owner(
    owner, listed, moderator, theme, django_capture_on_commit_callbacks
):
    newer = SourceFactory(title="A newer trial", themes=[theme])
    with django_capture_on_commit_callbacks(execute=True):
        reviews.record_review(
            source=listed,
            moderator=moderator,
            note="Checked.",
            next_review_by=timezone.localdate() + timedelta(days=30),
            superseded_by=newer,
        )
    with django_capture_on_commit_callbacks(execute=True):
        moderation.retire(source=listed, moderator=moderator, reason="Out of date")
    subjects = sorted(email.subject for email in alerts_to(owner))
    assert subjects == [
        "[Q Library] A source in your reading list: no longer in the library",
        "[Q Library] A source in your reading list: superseded",
    ]


def test_nobody_is_told_when_no_list_holds_the_source(theme):
    source = SourceFactory(themes=[theme])
    assert notify_owners_of(source, "retraction") == 0
    assert not OutgoingEmail.objects.filter(kind="list_alert").exists()


def test_the_weekly_digest_carries_a_followed_lists_changes(owner, listed, theme):
    reader = MemberFactory(username="reader")
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    public = ReadingList.objects.get(title="First list")
    with time_machine.travel(start, tick=False):
        services.set_follow(member=reader, reading_list=public, follow=True)
        following.send_digests()  # nothing yet: no e-mail, the week starts
    with time_machine.travel(start + timedelta(days=2), tick=False):
        services.add_source(
            reading_list=public, source=SourceFactory(title="Freshly added", themes=[theme])
        )
    with time_machine.travel(start + timedelta(days=8), tick=False):
        assert following.send_digests() == 1
    digest = OutgoingEmail.objects.get(kind="digest", to=[reader.email])
    assert "Added in “First list”: Freshly added" in digest.body
