"""In a real browser, at 1280 and 390 px: the link health page reads at a glance (no sideways
scrolling, compact rows, a card per link on a phone), a moderator's navigation takes one row on
a phone, and a review finds the source that supersedes another by its title."""

from datetime import timedelta

import pytest
from django.utils import timezone

from sources.models import LinkHealth, Source
from sources.proposals import reviews

from .browser import PHONE, log_in
from .factories import ModeratorFactory, SourceFactory

# live_server needs real transactions; the `live_themes` fixture re-creates the themes.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAPTOP = {"width": 1280, "height": 800}
LONG = "https://www.example.org/publications/" + "a-very-long-path-segment/" * 6


def sideways_overflow(page):
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def unhealthy_links(theme):
    now = timezone.now()
    for number, (state, extra) in enumerate(
        [
            ("broken", {"broken": True, "failures": 9, "error": "404 Not Found"}),
            ("failing", {"failures": 2, "error": "could not connect: timed out"}),
            ("moved", {"moved_to": LONG + "new", "redirects": [[LONG, 301]]}),
        ]
    ):
        source = SourceFactory(
            title=f"A {state} report with a title long enough to wrap over two lines or more",
            url=f"{LONG}{number}",
            themes=[theme],
        )
        failing = {"failing_since": now - timedelta(days=9)} if extra.get("failures") else {}
        LinkHealth.objects.create(
            source=source,
            checked_url=source.url,
            checked_at=now,
            outcome="failed" if extra.get("failures") else "ok",
            **failing,
            **extra,
        )


def test_link_health_and_navigation_on_a_laptop_and_a_phone(live_server, browser_page, live_themes):
    ModeratorFactory(username="mo")
    unhealthy_links(live_themes[0])
    page = browser_page
    page.set_viewport_size(LAPTOP)
    log_in(page, live_server.url, "mo")
    page.goto(live_server.url + "/moderation/links/")

    # Every column in view, without a sideways-scrolling box; rows stay compact.
    assert sideways_overflow(page) <= 0
    table = page.locator(".table-wrap")
    assert table.evaluate("box => box.scrollWidth <= box.clientWidth")
    for column in ["State", "Last check", "What the site answered", "Moved to"]:
        box = page.get_by_role("columnheader", name=column).bounding_box()
        assert box["x"] + box["width"] <= LAPTOP["width"], column
    rows = page.locator(".link-table tbody tr")
    assert rows.count() == 3
    assert all(rows.nth(n).bounding_box()["height"] < 160 for n in range(3))
    assert rows.nth(0).get_by_text("Broken", exact=True).is_visible()
    assert page.get_by_role("button", name="Use the new address").is_visible()

    # On a phone: a card per link, nothing wider than the screen, and one row of navigation
    # (a Menu) before the page's own content.
    page.set_viewport_size(PHONE)
    page.reload()
    assert sideways_overflow(page) <= 0
    assert rows.nth(0).evaluate("row => getComputedStyle(row).display") == "block"
    assert not page.get_by_role("link", name="Browse the library").is_visible()
    menu = page.locator(".site-menu summary")
    search = page.locator(".site-search")
    assert abs(menu.bounding_box()["y"] - search.bounding_box()["y"]) < 10, "one row"
    tabs = page.locator(".tabs-menu summary")
    assert tabs.text_content() == "Moderation: Link health"
    assert not page.locator(".tabs").is_visible()
    menu.click()
    page.get_by_role("link", name="Browse the library").click()
    page.wait_for_url("**/sources/")
    page.go_back()
    tabs.click()
    page.get_by_role("link", name="Due for review").click()
    page.wait_for_url("**/moderation/due/")
    assert page.console_errors == []


def test_a_review_finds_the_successor_by_title_with_a_suggested_date(
    live_server, browser_page, live_themes
):
    moderator = ModeratorFactory(username="mo")
    old = SourceFactory(
        title="Flow guide 2019", kind=Source.Kind.WEBSITE, review_by=timezone.localdate()
    )
    new = SourceFactory(title="Flow guide 2025", year=2025)
    page = browser_page
    log_in(page, live_server.url, moderator.username)
    page.goto(live_server.url + f"/moderation/{old.slug}/reviewed/")

    suggested = reviews.default_review_by(Source.Kind.WEBSITE)
    assert page.get_by_label("Next review by").input_value() == suggested.isoformat()
    page.get_by_label("What you checked").fill("The 2025 edition replaces it.")
    # Typing is enough: the matches appear without pressing "Find" (moderation.js).
    page.get_by_label("Words in its title").press_sequentially("flow 2025", delay=20)
    page.get_by_role("radio", name="Flow guide 2025").check()
    page.get_by_role("button", name="Record the review").click()
    page.wait_for_url("**/moderation/due/")

    old.refresh_from_db()
    assert old.superseded_by == new and old.review_by == suggested
    assert page.console_errors == []
