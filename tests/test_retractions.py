"""Retractions, expressions of concern and corrections: looked up per DOI in Crossref (served
here by a local server with recorded answers), shown as a banner or a note, logged in public and
e-mailed exactly once, however often the check runs."""

import copy
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from qlibrary.outbox.models import OutgoingEmail
from sources.checks import retractions
from sources.models import IdentifierCheck, ModerationEvent, Notice, Source
from sources.proposals.endorsements import set_endorsement

from .factories import ModeratorFactory, SourceFactory

DATA = Path(__file__).resolve().parent / "data" / "crossref"
RETRACTED = json.loads((DATA / "crossref-work-retracted.json").read_text())
CORRECTED = json.loads((DATA / "crossref-work.json").read_text())
NOT_FOUND = (DATA / "crossref-work-not-found.txt").read_text()
RETRACTED_DOI = RETRACTED["message"]["DOI"]
CORRECTED_DOI = CORRECTED["message"]["DOI"]


@pytest.fixture
def crossref(outside, settings, db):
    settings.CROSSREF_API = outside.url_for("/crossref")
    return outside


def serve_work(server, doi, body, status=200):
    server.expect_request(f"/crossref/works/{doi}").respond_with_json(body, status=status)


@pytest.fixture
def retracted(crossref, theme, proposer, other_member, member):
    source = SourceFactory(
        title="Chitosan bandages", doi=RETRACTED_DOI, proposer=proposer, themes=[theme]
    )
    set_endorsement(source=source, member=other_member, endorse=True)
    set_endorsement(source=source, member=member, endorse=True)
    serve_work(crossref, RETRACTED_DOI, RETRACTED)
    return source


def run_check(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("check_retractions", "--all", stdout=(out := Output()))
    return out.text


class Output:
    def __init__(self):
        self.text = ""

    def write(self, text):
        self.text += text

    def flush(self):
        pass


def test_a_retraction_shows_its_banner_log_entry_and_emails_exactly_once(
    retracted, moderator, client, mailoutbox, django_capture_on_commit_callbacks
):
    ModeratorFactory(username="quiet-moderator", notify_new_proposals=False)

    for _ in range(3):
        run_check(django_capture_on_commit_callbacks)

    retracted.refresh_from_db()
    assert retracted.alert == Source.Alert.RETRACTED
    (notice,) = Notice.objects.filter(source=retracted)
    assert (notice.kind, notice.notice_doi, notice.reported_by) == (
        "retraction",
        "10.1021/acsami.9b11759",
        "retraction-watch",
    )
    (event,) = ModerationEvent.objects.filter(source=retracted, action="retraction")
    assert event.actor is None
    assert "10.1021/acsami.9b11759" in event.reason
    recipients = sorted(message.to[0] for message in mailoutbox)
    assert recipients == sorted(
        [
            "proposer@example.org",
            "other@example.org",
            "member@example.org",
            "moderator@example.org",
            "quiet-moderator@example.org",
        ]
    )
    assert {m.subject for m in mailoutbox} == {"[Q Library] Retraction found: Chitosan bandages"}
    assert OutgoingEmail.objects.filter(kind="retraction").count() == 5

    page = client.get(retracted.get_absolute_url()).content.decode()
    assert "<strong>Retracted.</strong>" in page
    assert 'href="https://doi.org/10.1021/acsami.9b11759"' in page
    listing = client.get(reverse("sources:list")).content.decode()
    assert "<strong>Retracted.</strong> Read the notice" in listing
    log = client.get(reverse("sources:moderation_log")).content.decode()
    assert "Retraction found" in log
    assert "the library's weekly check" in log


def test_an_expression_of_concern_then_a_retraction_each_tell_people_once(
    crossref, proposer, mailoutbox, django_capture_on_commit_callbacks
):
    source = SourceFactory(doi=RETRACTED_DOI, proposer=proposer)
    concern = copy.deepcopy(RETRACTED)
    concern["message"]["updated-by"][0].update(
        {"type": "expression_of_concern", "label": "Expression of concern", "DOI": "10.1/eoc"}
    )
    serve_work(crossref, RETRACTED_DOI, concern)
    run_check(django_capture_on_commit_callbacks)
    run_check(django_capture_on_commit_callbacks)

    source.refresh_from_db()
    assert source.alert == Source.Alert.CONCERN
    assert [m.subject for m in mailoutbox] == [
        f"[Q Library] Expression of concern found: {source.title}"
    ]

    crossref.clear()
    both = copy.deepcopy(concern)
    both["message"]["updated-by"] += RETRACTED["message"]["updated-by"]
    serve_work(crossref, RETRACTED_DOI, both)
    run_check(django_capture_on_commit_callbacks)
    run_check(django_capture_on_commit_callbacks)

    source.refresh_from_db()
    assert source.alert == Source.Alert.RETRACTED
    assert len(mailoutbox) == 2
    assert list(ModerationEvent.objects.filter(source=source).values_list("action", flat=True)) == [
        "retraction",
        "concern",
    ]


def test_a_correction_is_a_note_with_a_link_and_no_alarm(
    crossref, client, mailoutbox, django_capture_on_commit_callbacks
):
    source = SourceFactory(doi=CORRECTED_DOI)
    serve_work(crossref, CORRECTED_DOI, CORRECTED)

    run_check(django_capture_on_commit_callbacks)

    source.refresh_from_db()
    assert source.alert == ""
    assert mailoutbox == []
    assert not ModerationEvent.objects.filter(source=source).exists()
    page = client.get(source.get_absolute_url()).content.decode()
    assert "A correction to this work was published on 8 May 2012." in page
    assert 'href="https://doi.org/10.1371/annotation/c76da2c1-ccb8-4797-94c1-359d3ceceeda"' in page


def test_a_doi_crossref_does_not_know_is_no_signal(
    crossref, mailoutbox, django_capture_on_commit_callbacks
):
    source = SourceFactory(doi="10.1371/notarealdoi")
    crossref.expect_request("/crossref/works/10.1371/notarealdoi").respond_with_data(
        NOT_FOUND, status=404, content_type="text/plain"
    )

    output = run_check(django_capture_on_commit_callbacks)

    source.refresh_from_db()
    assert source.alert == ""
    check = IdentifierCheck.objects.get(source=source)
    assert (check.result, check.failed) == (
        "Crossref has no record of this DOI (no signal)",
        False,
    )
    assert "1 unknown to Crossref" in output
    assert mailoutbox == []


def test_a_failed_lookup_is_tried_again_the_next_day_not_the_next_week(crossref, settings):
    source = SourceFactory(doi=RETRACTED_DOI)
    crossref.expect_request(f"/crossref/works/{RETRACTED_DOI}").respond_with_data(
        "busy", status=503
    )
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        counts = retractions.check_sources()
    assert counts["failed"] == 1
    assert IdentifierCheck.objects.get(source=source).failed

    with time_machine.travel(start + timedelta(hours=12), tick=False):
        assert list(retractions.due(start + timedelta(hours=12))) == []
    assert list(retractions.due(start + timedelta(days=1, minutes=1))) == [source]


def test_a_checked_doi_is_not_looked_up_again_until_due(crossref, retracted):
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        retractions.check_sources()

    assert list(retractions.due(start + timedelta(days=6))) == []
    assert list(retractions.due(start + timedelta(days=7))) == [retracted]


def test_progress_line_per_hundred_dois(db, monkeypatch):
    sources = [SourceFactory.build(pk=n, doi=f"10.1/{n}") for n in range(1, 202)]
    monkeypatch.setattr("sources.clients.crossref.updates_of", lambda doi: None)
    monkeypatch.setattr(retractions, "_remember_check", lambda source, **kwargs: None)
    lines = []

    retractions.check_sources(sources=sources, report=lines.append)

    assert lines[:2] == ["Checked 100 of 201 DOIs…", "Checked 200 of 201 DOIs…"]
    assert lines[2].startswith("Checked 201 DOIs:")


def test_only_sources_in_the_library_with_a_doi_are_looked_up(db):
    in_library = SourceFactory(doi="10.1/in")
    SourceFactory(doi="")
    SourceFactory(doi="10.1/proposed", status=Source.Status.PROPOSED, approved_at=None)

    assert list(retractions.due(datetime(2030, 1, 1, tzinfo=UTC))) == [in_library]


@pytest.mark.parametrize("page_cache", [True, False], ids=["whole pages cached", "parts cached"])
def test_a_correction_found_later_shows_on_the_next_read_of_a_cached_page(
    crossref, client, settings, page_cache, django_capture_on_commit_callbacks
):
    settings.PAGE_CACHE = page_cache
    source = SourceFactory(doi=CORRECTED_DOI)
    serve_work(crossref, CORRECTED_DOI, CORRECTED)
    before = client.get(source.get_absolute_url()).content.decode()
    assert "A correction to this work" not in before

    run_check(django_capture_on_commit_callbacks)

    page = client.get(source.get_absolute_url()).content.decode()
    assert "A correction to this work was published on 8 May 2012." in page
