"""The evidence map in a real browser, on a laptop and on a phone: its two axes offered, its
drawing readable (scrolling sideways within itself on a phone, never the page), and one button
for its filters."""

import pytest

from .browser import PHONE
from .factories import SourceFactory

# live_server needs real transactions; the `live_themes` fixture re-creates the themes.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_map_reads_whole_on_a_laptop_and_a_phone(
    live_server, browser_page, live_themes, viewport
):
    for theme in live_themes:
        SourceFactory(themes=[theme])
    page = browser_page
    page.set_viewport_size(viewport)

    page.goto(live_server.url + "/map/")

    assert page.get_by_role("link", name="By kind").is_visible()
    assert page.locator("form.filter-form button[type=submit]").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    label_size = page.evaluate(
        "(() => { const label = document.querySelector('.evidence-map__label');"
        " return label.getBoundingClientRect().height / label.querySelectorAll('tspan').length;"
        " })()"
    )
    assert label_size >= 10  # pixels a line: the labels stay readable
    page.get_by_role("link", name="By kind").click()
    headings = page.locator(".evidence-map__heading")
    for theme in live_themes:
        words = theme.title.split()
        assert any(words[-1] in headings.nth(n).text_content() for n in range(headings.count())), (
            theme.title
        )
    assert page.console_errors == []
