"""A reader finds a source from the home page, in a real browser."""

import pytest

from .browser import PHONE
from .factories import SourceFactory

# live_server needs real transactions; the `live_themes` fixture re-creates the themes.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_reader_goes_from_home_to_theme_to_source(live_server, browser_page, live_themes, tmp_path):
    themes = live_themes
    assert len(themes) == 3
    first, second, _ = themes
    SourceFactory(
        title="Building the foundations for improvement",
        contributors=[
            {"role": "author", "family": "Alderwick", "given": "H."},
            {"role": "author", "family": "Jones", "given": "B."},
        ],
        authors="Alderwick H, Jones B",
        publisher="The Health Foundation",
        year=2015,
        url="https://example.org/foundations",
        themes=[first, second],
        tags=["capability"],
    )
    page = browser_page

    page.goto(live_server.url + "/")
    cards = page.locator(".theme-card")
    assert cards.count() == 3
    for theme in themes:
        assert page.get_by_role("link", name=theme.title).is_visible()

    page.get_by_role("link", name=first.title).click()
    page.wait_for_url(f"**{first.get_absolute_url()}")
    assert page.locator("h1").inner_text() == first.title
    assert page.get_by_role("link", name="Building the foundations for improvement").is_visible()

    page.get_by_role("link", name="Building the foundations for improvement").click()
    page.wait_for_url("**/sources/*/")
    assert page.locator("h1").inner_text() == "Building the foundations for improvement"
    assert page.locator("#citation-apa").inner_text() == (
        "Alderwick, H., & Jones, B. (2015). Building the foundations for improvement. "
        "The Health Foundation. https://example.org/foundations"
    )
    for style in ("APA", "Vancouver", "Harvard"):
        assert page.get_by_role("button", name=f"Copy citation ({style})").is_visible()
    assert page.get_by_role("link", name="Read the source").get_attribute("href") == (
        "https://example.org/foundations"
    )
    details = page.locator(".details")
    assert details.get_by_role("link", name=first.title).is_visible()
    assert details.get_by_role("link", name=second.title).is_visible()

    page.set_viewport_size(PHONE)
    page.screenshot(path=tmp_path / "source-on-phone.png", full_page=True)
    assert (tmp_path / "source-on-phone.png").stat().st_size > 0
    assert page.console_errors == []


def test_pages_load_without_console_errors(live_server, browser_page, live_themes):
    """No CSP violation or script error on the reading pages, at desktop and phone widths."""
    theme = live_themes[0]
    source = SourceFactory(themes=[theme], tags=["networks"])
    page = browser_page

    for size in [{"width": 1280, "height": 800}, PHONE]:
        page.set_viewport_size(size)
        for path in [
            "/",
            theme.get_absolute_url(),
            source.get_absolute_url(),
            "/sources/?q=evidence",
            "/tags/networks/",
        ]:
            response = page.goto(live_server.url + path)
            assert response.status == 200, path
            assert page.locator("h1").count() == 1, path
    assert page.console_errors == []


def test_missing_page_is_friendly_in_the_browser(live_server, browser_page, live_themes):
    page = browser_page

    response = page.goto(live_server.url + "/sources/no-such-source/")

    assert response.status == 404
    assert page.locator("h1").inner_text() == "We couldn't find that page"
    # Chromium reports the 404 document itself as a console error; nothing else may appear.
    assert all("status of 404" in error for error in page.console_errors), page.console_errors
    page.get_by_role("link", name="Browse the library").first.click()
    page.wait_for_url("**/sources/")
    assert page.locator("h1").inner_text() == "Browse the library"
