"""A reader finds things in a real browser: the header search at desktop and phone widths, the
moderation log's reasons on a phone, and the endorsement confirmation a member can see."""

from datetime import timedelta

import pytest
from django.utils import timezone

from sources.models import Source
from sources.proposals import moderation

from .browser import PHONE, log_in
from .factories import MemberFactory, ModeratorFactory, ProposalFactory, SourceFactory

# live_server needs real transactions; the `live_themes` fixture re-creates the themes.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}


def no_sideways_scrolling(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.fixture
def huddles(live_themes):
    theme = live_themes[0]
    now = timezone.now()
    SourceFactory(
        title="Huddles at the front line", themes=[theme], approved_at=now - timedelta(days=90)
    )
    SourceFactory(
        title="A newer report", summary="It mentions huddles once.", themes=[theme], approved_at=now
    )
    SourceFactory(title="Nothing to do with it", themes=[theme], approved_at=now)
    return theme


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_reader_searches_from_the_header_of_any_page(live_server, browser_page, huddles, viewport):
    page = browser_page
    page.set_viewport_size(viewport)
    page.goto(live_server.url + huddles.get_absolute_url())

    search = page.get_by_role("search", name="Search the library")
    box = search.get_by_role("searchbox", name="Search the library")
    assert box.is_visible()
    assert no_sideways_scrolling(page)
    # By keyboard: focus the box, type and press Enter.
    box.focus()
    page.keyboard.type("huddles")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert page.url == live_server.url + "/sources/?q=huddles"
    assert page.locator("h1").inner_text() == "Results for “huddles”"
    titles = page.locator(".source-card .card__title").all_inner_texts()
    assert titles == ["Huddles at the front line", "A newer report"], "best match first"
    assert page.get_by_label("Sort by").input_value() == "relevance"
    assert no_sideways_scrolling(page)
    assert page.console_errors == []


def test_moderation_log_reason_reads_on_a_phone(live_server, browser_page, live_themes):
    moderator = ModeratorFactory(username="mo", display_name="Mo Moderator")
    proposal = ProposalFactory(
        title="A very long title about improvement networks across several regions",
        proposer=MemberFactory(),
        themes=[live_themes[0]],
    )
    reason = (
        "Declined: it is an advertisement for a paid course, which the rules keep out of the "
        "library unless there is published evidence about it."
    )
    moderation.decline(source=proposal, moderator=moderator, reason=reason)
    page = browser_page
    page.set_viewport_size(PHONE)

    page.goto(live_server.url + "/moderation/log/")

    shown = page.locator(".log-entry__reason")
    assert shown.is_visible()
    assert reason in shown.inner_text()
    box = shown.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert no_sideways_scrolling(page)
    assert page.get_by_role("link", name="the rules").get_attribute("href") == "/guidelines/"


def test_endorsement_confirmation_is_shown_not_only_announced(
    live_server, browser_page, live_themes
):
    member = MemberFactory(username="mia")
    source = SourceFactory(title="Skilled for improvement", themes=[live_themes[0]])
    page = browser_page
    log_in(page, live_server.url, member.username)
    page.goto(live_server.url + source.get_absolute_url())

    page.get_by_role("button", name="Endorse this source").click()

    status = page.get_by_role("status").filter(has_text="Thank you for endorsing this source.")
    status.wait_for()
    assert status.is_visible()
    assert "visually-hidden" not in (status.get_attribute("class") or "")
    assert Source.objects.get(pk=source.pk).endorsement_count == 1
