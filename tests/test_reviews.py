"""Review dates and successors: sources get a review date on approval (sooner for websites than
books), moderators see what is due, and reviews and supersessions are recorded in public."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sources.models import ModerationEvent, Source
from sources.proposals import moderation, reviews

from .factories import ProposalFactory, SourceFactory

pytestmark = pytest.mark.django_db


def test_add_months_keeps_the_day_or_takes_the_months_last():
    assert reviews.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert reviews.add_months(date(2026, 11, 15), 14) == date(2028, 1, 15)


@pytest.mark.parametrize(
    ("kind", "months"),
    [(Source.Kind.WEBSITE, 12), (Source.Kind.PROGRAMME, 12), (Source.Kind.BOOK, 120)],
)
def test_approval_sets_a_review_date_by_kind(proposer, moderator, kind, months):
    proposal = ProposalFactory(proposer=proposer, kind=kind)

    moderation.approve(source=proposal, moderator=moderator)

    proposal.refresh_from_db()
    assert proposal.review_by == reviews.add_months(timezone.localdate(), months)


def test_approval_keeps_a_review_date_already_set(proposer, moderator):
    chosen = timezone.localdate() + timedelta(days=40)
    proposal = ProposalFactory(proposer=proposer, review_by=chosen)

    moderation.approve(source=proposal, moderator=moderator)

    proposal.refresh_from_db()
    assert proposal.review_by == chosen


def test_due_list_shows_what_is_due_most_overdue_first(client, moderator):
    today = timezone.localdate()
    later = SourceFactory(title="Due today", review_by=today)
    first = SourceFactory(title="Long overdue", review_by=today - timedelta(days=90))
    SourceFactory(title="Not yet due", review_by=today + timedelta(days=1))
    SourceFactory(title="Retired and due", review_by=today, status=Source.Status.RETIRED)
    client.force_login(moderator)

    response = client.get(reverse("sources:due_for_review"))

    assert list(response.context["page"].object_list) == [first, later]
    page = response.content.decode()
    assert "Not yet due" not in page and "Retired and due" not in page


def test_due_list_and_review_are_for_moderators_only(client, member, db):
    source = SourceFactory(review_by=timezone.localdate())
    for url in [
        reverse("sources:due_for_review"),
        reverse("sources:record_review", args=[source.slug]),
    ]:
        assert "/accounts/login/" in client.get(url)["Location"]
    client.force_login(member)
    refused = client.post(
        reverse("sources:record_review", args=[source.slug]),
        {"note": "Fine.", "next_review_by": "2099-01-01"},
    )
    assert refused.status_code == 403
    assert not ModerationEvent.objects.filter(action="review").exists()


def test_due_list_is_empty_with_a_helpful_message(client, moderator):
    client.force_login(moderator)
    assert (
        "Nothing is due for review."
        in client.get(reverse("sources:due_for_review")).content.decode()
    )


@pytest.mark.parametrize("count", [1, 15])
def test_due_list_query_count(client, moderator, assert_db_queries, count):
    newer = SourceFactory(title="Newer")
    for _ in range(count):
        SourceFactory(review_by=timezone.localdate(), superseded_by=newer)
    client.force_login(moderator)

    # The member with their roles and the page's own two (the session comes from the cache).
    with assert_db_queries(3):
        response = client.get(reverse("sources:due_for_review"))

    assert response.content.decode().count("Superseded by") == count


def test_a_review_with_a_successor_is_logged_and_the_old_source_points_to_it(client, moderator):
    old = SourceFactory(title="Guide 2019", review_by=timezone.localdate())
    new = SourceFactory(title="Guide 2025")
    client.force_login(moderator)

    response = client.post(
        reverse("sources:record_review", args=[old.slug]),
        {
            "note": "Checked against the 2025 edition.",
            "next_review_by": "2030-06-30",
            "superseded_by": f"https://library.example.org{new.get_absolute_url()}",
        },
        follow=True,
    )

    assert "Review of “Guide 2019” recorded in the public log." in response.content.decode()
    old.refresh_from_db()
    assert (old.review_by, old.superseded_by, old.status) == (date(2030, 6, 30), new, "approved")
    actions = dict(ModerationEvent.objects.filter(source=old).values_list("action", "reason"))
    assert actions["review"] == "Checked against the 2025 edition. Next review by 30 June 2030."
    assert actions["supersede"] == "Superseded by “Guide 2025”."
    client.logout()
    log = client.get(reverse("sources:moderation_log")).content.decode()
    assert "Marked as superseded" in log and "Checked against the 2025 edition." in log
    page = client.get(old.get_absolute_url())
    assert page.status_code == 200
    assert f'<a href="{new.get_absolute_url()}">Guide 2025</a>' in page.content.decode()
    listing = client.get(reverse("sources:list")).content.decode()
    assert "<strong>Superseded</strong> by a newer source" in listing


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"note": "", "next_review_by": "2030-01-01"}, "Say what you checked"),
        ({"note": "Ok.", "next_review_by": "2001-01-01"}, "Choose a date in the future."),
        ({"note": "Ok.", "next_review_by": "someday"}, "Enter a date, such as"),
        (
            {"note": "Ok.", "next_review_by": "2030-01-01", "superseded_by": "/sources/nope/"},
            "No source in the library has that address: find the newer source by its title",
        ),
    ],
)
def test_a_bad_review_is_refused_with_a_clear_message(client, moderator, data, error):
    source = SourceFactory(review_by=timezone.localdate())
    client.force_login(moderator)

    response = client.post(reverse("sources:record_review", args=[source.slug]), data)

    assert response.status_code == 400
    assert error in response.content.decode()
    assert not ModerationEvent.objects.filter(source=source).exists()


def test_a_source_cannot_supersede_itself(client, moderator):
    source = SourceFactory(review_by=timezone.localdate())
    client.force_login(moderator)

    response = client.post(
        reverse("sources:record_review", args=[source.slug]),
        {"note": "Ok.", "next_review_by": "2030-01-01", "superseded_by": source.slug},
    )

    assert "A source cannot be superseded by itself." in response.content.decode()
    source.refresh_from_db()
    assert source.superseded_by is None


def test_sources_already_in_the_library_get_a_review_date_by_kind():
    from importlib import import_module

    from django.apps import apps

    migration = import_module("sources.migrations.0013_review_dates_and_successors")
    approved_at = datetime(2025, 1, 31, 12, tzinfo=UTC)
    website = SourceFactory(kind=Source.Kind.WEBSITE, approved_at=approved_at)
    book = SourceFactory(kind=Source.Kind.BOOK, approved_at=approved_at)
    kept = SourceFactory(review_by=date(2025, 6, 1), approved_at=approved_at)

    migration.give_approved_sources_a_review_date(apps, None)

    dates = dict(Source.objects.values_list("pk", "review_by"))
    assert dates[website.pk] == date(2026, 1, 31)
    assert dates[book.pk] == date(2035, 1, 31)
    assert dates[kept.pk] == date(2025, 6, 1)


def test_the_starter_library_gets_review_dates(themes):
    from django.core.management import call_command

    call_command("seed_library", stdout=None)

    assert not Source.objects.approved().filter(review_by__isnull=True).exists()


def test_the_review_form_suggests_the_next_date_from_the_kind_as_an_iso_date(client, moderator):
    source = SourceFactory(kind=Source.Kind.WEBSITE, review_by=timezone.localdate())
    client.force_login(moderator)

    page = client.get(reverse("sources:record_review", args=[source.slug])).content.decode()

    # A date input shows only YYYY-MM-DD: the site's own 01/10/2029 would show empty.
    suggested = reviews.default_review_by(Source.Kind.WEBSITE)
    assert f'type="date" name="next_review_by" value="{suggested:%Y-%m-%d}"' in page
    assert "Suggested: 12 months from today, the usual interval for a website." in page


def test_find_lists_successors_by_title_and_keeps_what_was_typed(client, moderator):
    old = SourceFactory(title="Flow guide 2019", review_by=timezone.localdate())
    new = SourceFactory(title="Flow guide 2025", year=2025)
    SourceFactory(title="Flow guide draft", status=Source.Status.PROPOSED)
    SourceFactory(title="Unrelated report")
    client.force_login(moderator)

    response = client.post(
        reverse("sources:record_review", args=[old.slug]),
        {
            "note": "Checked the new edition.",
            "next_review_by": "2031-02-03",
            "successor_q": "flow GUIDE",
            "find_successor": "1",
        },
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert f'value="{new.get_absolute_url()}"' in page and "Flow guide 2025" in page
    assert "Flow guide draft" not in page and "Unrelated report" not in page
    assert f'value="{old.get_absolute_url()}"' not in page  # never itself
    assert "Checked the new edition.</textarea>" in page
    assert 'value="2031-02-03"' in page and 'value="flow GUIDE"' in page
    assert 'value="" id="id_superseded_by_none" checked' in page
    old.refresh_from_db()
    assert old.superseded_by is None and old.review_by == timezone.localdate()
    assert not ModerationEvent.objects.filter(source=old).exists()


def test_a_search_with_no_match_says_so_and_keeps_the_choice_made(client, moderator):
    new = SourceFactory(title="Guide 2025")
    old = SourceFactory(title="Guide 2019", review_by=timezone.localdate(), superseded_by=new)
    client.force_login(moderator)

    url = reverse("sources:record_review", args=[old.slug])
    page = client.get(url, {"successor_q": "zebra"}).content.decode()

    assert "No other source in the library has “zebra” in its title." in page
    assert f'value="{new.get_absolute_url()}" id="id_superseded_by_{new.pk}" checked' in page


def test_the_chosen_successor_is_recorded(client, moderator):
    old = SourceFactory(title="Guide 2019", review_by=timezone.localdate())
    new = SourceFactory(title="Guide 2025")
    client.force_login(moderator)

    client.post(
        reverse("sources:record_review", args=[old.slug]),
        {
            "note": "Replaced.",
            "next_review_by": "2030-01-01",
            "successor_q": "guide",
            "superseded_by": new.get_absolute_url(),
        },
    )

    old.refresh_from_db()
    assert old.superseded_by == new and old.review_by == date(2030, 1, 1)
    assert ModerationEvent.objects.filter(source=old, action="supersede").exists()


@pytest.mark.parametrize("count", [1, 12])
def test_the_successor_search_query_count(client, moderator, assert_db_queries, count):
    old = SourceFactory(title="Guide 2019", review_by=timezone.localdate())
    for number in range(count):
        SourceFactory(title=f"Guide edition {number}")
    client.force_login(moderator)

    # The member with their roles, the source and the matches (no successor is chosen yet).
    with assert_db_queries(3):
        response = client.get(
            reverse("sources:record_review", args=[old.slug]), {"successor_q": "edition"}
        )

    page = response.content.decode()
    # "Nothing replaces it" and at most ten matches, with a word when there may be more.
    assert page.count('name="superseded_by"') == min(count, 10) + 1
    assert ("Only the first 10 matches are shown" in page) == (count > 10)
