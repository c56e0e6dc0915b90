"""Link health: links are checked politely, called broken only after a week of failures, moved
addresses are offered to moderators, and newly approved pages are sent to the Internet Archive.
The checked sites and the Internet Archive are served by a local HTTP server; time moves with
time-machine."""

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from werkzeug import Response

from qlibrary.outbound import FetchResult, Hop
from sources.checks import link_health
from sources.models import LinkHealth, ModerationEvent, Source
from sources.proposals import moderation

from .factories import ProposalFactory, SourceFactory

WAYBACK_AVAILABLE = {
    "url": "example.org/report",
    "archived_snapshots": {
        "closest": {
            "status": "200",
            "available": True,
            "url": "http://web.archive.org/web/20260311082645/https://example.org/report",
            "timestamp": "20260311082645",
        }
    },
}
MONDAY_NOON = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


@pytest.fixture
def site(outside, settings):
    """The local server as both the checked site and the Internet Archive."""
    settings.LINK_CHECK_HOST_DELAY = 0
    settings.WAYBACK_AVAILABILITY_URL = outside.url_for("/wayback/available")
    outside.expect_request("/wayback/available").respond_with_json(WAYBACK_AVAILABLE)
    return outside


def answer(server, path, status, **headers):
    """From now on, `path` answers every request with `status`."""
    server.handlers[:] = [h for h in server.handlers if h.matcher.uri != path]
    server.expect_request(path).respond_with_data("", status=status, headers=headers)


@pytest.fixture
def linked(site, theme):
    return SourceFactory(title="Linked report", url=site.url_for("/report"), themes=[theme])


def check_daily(days, start=MONDAY_NOON):
    """Run the scheduled command once a day for `days` days, from `start`."""
    outputs = []
    for day in range(days):
        with time_machine.travel(start + timedelta(days=day), tick=False):
            call_command("check_links", stdout=(out := _Output()))
            outputs.append(out.text)
    return outputs


class _Output:
    def __init__(self):
        self.text = ""

    def write(self, text):
        self.text += text

    def flush(self):
        pass


def test_a_site_down_for_an_afternoon_is_not_broken(site, linked):
    answer(site, "/report", 503)
    for hour in (12, 14, 16):
        with time_machine.travel(MONDAY_NOON.replace(hour=hour), tick=False):
            link_health.check_links(sources=[linked])

    health = LinkHealth.objects.get(source=linked)
    assert (health.failures, health.broken) == (3, False)
    assert health.error == "503 Service Unavailable"

    answer(site, "/report", 200)
    with time_machine.travel(MONDAY_NOON.replace(hour=18), tick=False):
        link_health.check_links(sources=[linked])

    health.refresh_from_db()
    assert (health.outcome, health.failures, health.failing_since) == ("ok", 0, None)


def test_a_site_down_for_eight_days_is_broken_and_offers_the_archived_copy(
    site, linked, client, moderator
):
    answer(site, "/report", 404)

    outputs = check_daily(8)

    health = LinkHealth.objects.get(source=linked)
    assert health.failures == 8
    assert health.broken
    assert health.failing_since == MONDAY_NOON
    assert health.archive_url == WAYBACK_AVAILABLE["archived_snapshots"]["closest"]["url"]
    assert outputs[0] == "Checked 1 links: 1 failed this time, 0 broken.\n"
    assert outputs[-1] == "Checked 1 links: 1 failed this time, 1 broken.\n"

    page = client.get(linked.get_absolute_url()).content.decode()
    assert "This link may be broken." in page
    assert f'href="{health.archive_url}"' in page

    client.force_login(moderator)
    listing = client.get(reverse("sources:link_health")).content.decode()
    assert "Linked report" in listing
    assert "404 Not Found" in listing
    assert "8 failed checks" in listing


def test_the_link_is_not_broken_after_seven_days_nor_once_it_answers_again(site, linked):
    answer(site, "/report", 500)
    check_daily(7)  # days 0..6: six days of failures, not yet a week
    assert not LinkHealth.objects.get(source=linked).broken

    answer(site, "/report", 200)
    check_daily(1, start=MONDAY_NOON + timedelta(days=7))

    health = LinkHealth.objects.get(source=linked)
    assert (health.broken, health.failures, health.archive_url) == (False, 0, "")


def test_a_check_is_skipped_until_it_is_due(site, linked):
    answer(site, "/report", 500)
    with time_machine.travel(MONDAY_NOON, tick=False):
        call_command("check_links", stdout=_Output())
    with time_machine.travel(MONDAY_NOON + timedelta(hours=5), tick=False):
        call_command("check_links", stdout=(out := _Output()))

    assert out.text.startswith("Checked 0 links")
    assert LinkHealth.objects.get(source=linked).failures == 1


@pytest.mark.parametrize("status", [403, 429])
def test_sites_refusing_robots_are_never_broken(site, linked, status):
    answer(site, "/report", status)

    check_daily(10)

    health = LinkHealth.objects.get(source=linked)
    assert (health.outcome, health.failures, health.broken) == ("blocked", 0, False)


def test_get_is_tried_when_head_is_refused(site, linked):
    site.expect_request("/report", method="HEAD").respond_with_data("", status=405)
    site.expect_request("/report", method="GET").respond_with_data("<html>ok</html>")

    link_health.check_links(sources=[linked])

    assert LinkHealth.objects.get(source=linked).outcome == "ok"
    assert [request.method for request, _ in site.log if request.path == "/report"] == [
        "HEAD",
        "GET",
    ]


def test_a_permanent_redirect_is_offered_and_taken_in_one_click(site, linked, client, moderator):
    new_address = site.url_for("/reports/2026/report")
    answer(site, "/report", 301, Location=new_address)
    answer(site, "/reports/2026/report", 200)

    link_health.check_links(sources=[linked])

    health = LinkHealth.objects.get(source=linked)
    assert health.redirects == [[linked.url, 301]]
    assert health.moved_to == new_address
    client.force_login(moderator)
    listing = client.get(reverse("sources:link_health")).content.decode()
    assert "Use the new address" in listing

    response = client.post(reverse("sources:accept_new_address", args=[linked.slug]), follow=True)

    linked.refresh_from_db()
    assert linked.url == new_address
    assert "now links to its new address" in response.content.decode()
    event = ModerationEvent.objects.get(source=linked, action="update_url")
    assert event.actor == moderator
    assert new_address in client.get(reverse("sources:moderation_log")).content.decode()


def test_a_temporary_redirect_is_followed_but_not_offered(site, linked):
    answer(site, "/report", 302, Location=site.url_for("/elsewhere"))
    answer(site, "/elsewhere", 200)

    link_health.check_links(sources=[linked])

    health = LinkHealth.objects.get(source=linked)
    assert (health.outcome, health.moved_to) == ("ok", "")
    assert health.redirects == [[linked.url, 302]]


def test_only_moderators_may_take_a_new_address(site, linked, client, member):
    answer(site, "/report", 308, Location=site.url_for("/new"))
    answer(site, "/new", 200)
    link_health.check_links(sources=[linked])
    url = reverse("sources:accept_new_address", args=[linked.slug])

    anonymous = client.post(url)
    client.force_login(member)
    refused = client.post(url)

    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert refused.status_code == 403
    linked.refresh_from_db()
    assert linked.url == site.url_for("/report")


def test_link_health_page_is_for_moderators_only(client, member, moderator, db):
    url = reverse("sources:link_health")
    assert "/accounts/login/" in client.get(url)["Location"]
    client.force_login(member)
    forbidden = client.get(url)
    assert forbidden.status_code == 403 and "Link health" not in forbidden.content.decode()
    client.force_login(moderator)
    assert "no source in the library has a web address" in client.get(url).content.decode()


def test_before_any_check_the_page_says_so_and_how_checks_run(client, moderator, theme):
    SourceFactory(url="https://example.org/a", themes=[theme])
    SourceFactory(url="https://example.org/b", themes=[theme])
    client.force_login(moderator)

    page = client.get(reverse("sources:link_health")).content.decode()

    assert "No link has been checked yet." in page
    assert "2 sources in the library have addresses waiting for a first check" in page
    assert "<code>manage.py check_links</code>" in page
    assert "Every checked link answered" not in page


def test_when_every_checked_link_answered_the_page_says_so_with_the_unchecked(
    site, linked, client, moderator
):
    answer(site, "/report", 200)
    SourceFactory(url="https://example.org/not-yet", themes=linked.themes.all())
    with time_machine.travel(MONDAY_NOON, tick=False):
        link_health.check_links(sources=[linked])
    client.force_login(moderator)

    page = client.get(reverse("sources:link_health")).content.decode()

    assert "1 link checked, the latest on" in page and "2 Mar 2026" in page
    assert "Every checked link answered at its last check; 1 link still waits" in page
    assert "No link has been checked yet" not in page
    assert "<table" not in page


def test_a_failing_link_shows_its_state_check_answer_and_new_address_in_one_row(
    client, moderator, theme
):
    broken = SourceFactory(title="Gone report", url="https://example.org/gone", themes=[theme])
    moved = SourceFactory(title="Moved report", url="https://example.org/old", themes=[theme])
    now = timezone.now()
    LinkHealth.objects.create(
        source=broken,
        checked_url=broken.url,
        checked_at=now,
        outcome="failed",
        status_code=404,
        error="404 Not Found",
        failures=9,
        failing_since=now - timedelta(days=9),
        broken=True,
    )
    LinkHealth.objects.create(
        source=moved,
        checked_url=moved.url,
        checked_at=now,
        outcome="ok",
        redirects=[[moved.url, 301]],
        moved_to="https://example.org/new",
    )
    client.force_login(moderator)

    page = client.get(reverse("sources:link_health")).content.decode()

    assert "2 links checked" in page and "<strong>1 broken</strong>, 0 failing, 1 moved" in page
    rows = page.split("<tbody>")[1].split("</tr>")
    assert "Gone report" in rows[0] and "link-state--broken" in rows[0]
    assert "404 Not Found" in rows[0] and "9 failed checks" in rows[0]
    assert "Moved report" in rows[1] and "https://example.org/new" in rows[1]
    assert "1 redirect</summary>" in rows[1] and "Use the new address" in rows[1]


@pytest.mark.parametrize("count", [1, 12])
def test_link_health_page_query_count(client, moderator, assert_db_queries, count):
    for number in range(count):
        LinkHealth.objects.create(
            source=SourceFactory(),
            checked_url=f"https://example.org/reports/{number}",
            checked_at=timezone.now(),
            outcome="failed",
            error="404 Not Found",
            failures=1,
            failing_since=timezone.now(),
        )
    client.force_login(moderator)

    # The member with their roles, the overview and the page's own two (the session comes from
    # the cache).
    with assert_db_queries(4):
        response = client.get(reverse("sources:link_health"))

    assert response.content.decode().count("404 Not Found") == count


class FakeSite:
    """Stands in for the outbound fetch to test the order and pace of visits."""

    def __init__(self):
        self.visits = []

    def __call__(self, url, method="GET", **kwargs):
        self.visits.append(url)
        return FetchResult(url=url, status=200, headers={}, content=b"", redirects=[])


def test_visits_to_one_host_are_spaced_and_hosts_interleaved(db, settings):
    settings.LINK_CHECK_HOST_DELAY = 5
    sources = [
        SourceFactory(url="https://a.example/1"),
        SourceFactory(url="https://a.example/2"),
        SourceFactory(url="https://b.example/1"),
    ]
    fake, waits = FakeSite(), []

    link_health.check_links(sources=sources, fetch=fake, sleep=waits.append, clock=lambda: 100.0)

    assert fake.visits == ["https://a.example/1", "https://b.example/1", "https://a.example/2"]
    assert waits == [5.0]


def test_a_progress_line_per_hundred_links(db):
    now = timezone.now()
    Source.objects.bulk_create(
        Source(
            title=f"Report {n}",
            slug=f"report-{n}",
            url=f"https://example.org/{n}",
            url_key=f"example.org/{n}",
            kind="report",
            stance="refines",
            summary="s",
            status="approved",
            approved_at=now,
        )
        for n in range(201)
    )
    lines = []

    link_health.check_links(report=lines.append, fetch=FakeSite(), sleep=lambda s: None)

    assert lines == [
        "Checked 100 of 201 links…",
        "Checked 200 of 201 links…",
        "Checked 201 links: 0 failed this time, 0 broken.",
    ]


def test_redirect_chain_of_permanent_hops_is_offered():
    hops = [Hop("https://old.example/a", 301), Hop("https://old.example/b", 308)]
    found = link_health.Probe(
        "ok", 200, "", "https://new.example/a", [[h.url, h.status] for h in hops]
    )
    assert found.moved_to == "https://new.example/a"
    mixed = link_health.Probe(
        "ok", 200, "", "https://new.example/a", [["https://x", 301], ["https://y", 302]]
    )
    assert mixed.moved_to == ""


def test_approval_asks_the_internet_archive_to_save_the_page(
    outside, settings, proposal, moderator, django_capture_on_commit_callbacks
):
    settings.WAYBACK_SAVE_URL = outside.url_for("/save/")
    outside.expect_request(f"/save/{proposal.url}").respond_with_data("saved")

    with django_capture_on_commit_callbacks(execute=True):
        moderation.approve(source=proposal, moderator=moderator)

    assert [request.path for request, _ in outside.log] == [f"/save/{proposal.url}"]


def test_archive_failure_does_not_stop_an_approval(
    outside, settings, proposal, moderator, django_capture_on_commit_callbacks, caplog
):
    settings.WAYBACK_SAVE_URL = outside.url_for("/save/")
    outside.expect_request(f"/save/{proposal.url}").respond_with_response(Response(status=429))

    with django_capture_on_commit_callbacks(execute=True):
        moderation.approve(source=proposal, moderator=moderator)

    proposal.refresh_from_db()
    assert proposal.status == "approved"
    assert "Save Page Now refused" in caplog.text


def test_archive_lookup_without_a_copy_offers_none(site, linked):
    site.handlers.clear()
    site.expect_request("/wayback/available").respond_with_data(
        json.dumps({"url": "example.org", "archived_snapshots": {}})
    )
    assert link_health.archived_copy(linked.url) == ""


def test_a_moderator_checks_a_proposals_link_from_its_review_page(
    site, client, member, moderator, proposer, theme
):
    answer(site, "/proposed", 404)
    proposal = ProposalFactory(proposer=proposer, url=site.url_for("/proposed"), themes=[theme])
    url = reverse("sources:check_link", args=[proposal.slug])

    assert "/accounts/login/" in client.post(url)["Location"]
    client.force_login(member)
    assert client.post(url).status_code == 403
    assert not LinkHealth.objects.exists()

    client.force_login(moderator)
    response = client.post(url, follow=True)

    health = LinkHealth.objects.get(source=proposal)
    assert (health.outcome, health.error, health.failures) == ("failed", "404 Not Found", 1)
    assert not health.broken
    page = response.content.decode()
    assert "The link failed just now: 404 Not Found." in page
    assert '<span class="link-state link-state--failing">Failing</span>' in page


def test_checking_a_link_needs_a_post(client, moderator, proposer, theme):
    proposal = ProposalFactory(proposer=proposer, themes=[theme])
    client.force_login(moderator)

    response = client.get(reverse("sources:check_link", args=[proposal.slug]))

    assert response.status_code == 405
    assert not LinkHealth.objects.exists()
