"""A reader's selection and reading lists in a real browser: three sources added from their
cards in place, the APA bibliography in APA's order, RIS and BibTeX files that parse back into
the same three records; and axe on the selection, the lists and a list's page."""

import re

import bibtexparser
import pytest
import rispy

from sources.lists import services

from .browser import PHONE
from .factories import MemberFactory, three_sources_out_of_order
from .test_accessibility import DESKTOP, assert_no_serious_violations

# live_server needs real transactions; the `live_themes` fixture re-creates the themes.


pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The buttons' names end with the source's title, for screen readers.
ADD = re.compile("^Add to my selection")
REMOVE = re.compile("^Remove from my selection")


@pytest.fixture
def three(live_themes):
    theme = live_themes[0]
    return theme, three_sources_out_of_order(theme)


def test_a_reader_collects_three_sources_and_downloads_them(
    live_server, browser_page, three, tmp_path
):
    theme, sources = three
    page = browser_page
    page.goto(live_server.url + theme.get_absolute_url())
    for source in sources:
        card = page.locator(".source-card", has=page.get_by_role("link", name=source.title))
        card.get_by_role("button", name=ADD).click()
        card.get_by_role("button", name=REMOVE).wait_for()
    assert page.locator(".site-selection [data-selection-count]").inner_text() == "(3)"
    assert page.url == live_server.url + theme.get_absolute_url()  # never left the page

    page.reload()  # the shared page learns its buttons' state from the selection
    first = page.locator(".source-card", has=page.get_by_role("link", name=sources[0].title))
    first.get_by_role("button", name=REMOVE).wait_for()

    page.get_by_role("link", name="My selection").click()
    page.wait_for_url("**/basket/")
    references = page.locator(".bibliography__list li").all_inner_texts()
    assert [text.split(",")[0] for text in references] == ["Brown", "Martin", "Young"]
    assert references[0].startswith("Brown, A. (2018). Aims of care.")
    # The copy button says what it copies (its accessible name is its visible text).
    copy = page.get_by_role("button", name="Copy the bibliography", exact=True)
    assert copy.inner_text() == "Copy the bibliography"

    files = {}
    for label, name in (("RIS file", "ris"), ("BibTeX", "bibtex")):
        with page.expect_download() as download:
            page.get_by_role("link", name=label).click()
        path = tmp_path / name
        download.value.save_as(path)
        files[name] = path.read_text()
    ris_titles = [entry["title"] for entry in rispy.loads(files["ris"])]
    bib_titles = [entry["title"] for entry in bibtexparser.parse_string(files["bibtex"]).entries]
    assert ris_titles == bib_titles == [source.title for source in sources]
    assert page.console_errors == []


def test_a_reader_adds_a_source_without_javascript(live_server, browser_page, three):
    theme, sources = three
    context = browser_page.context.browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + theme.get_absolute_url())
    card = page.locator(".source-card", has=page.get_by_role("link", name=sources[1].title))
    card.get_by_role("button", name=ADD).click()
    page.get_by_role("button", name="Add it to my selection").click()
    page.wait_for_url(live_server.url + theme.get_absolute_url())
    assert "Added “Aims of care” to your selection" in page.content()
    page.goto(live_server.url + "/basket/")
    assert page.locator(".selection-list__item").count() == 1
    # Each item's button submits the page's one removal form, naming its source.
    page.get_by_role("button", name=f"Remove {sources[1].title}").click()
    page.wait_for_url(live_server.url + "/basket/")
    assert "Removed “Aims of care” from your selection" in page.content()
    assert page.locator(".selection-list__item").count() == 0
    context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_selection_and_list_pages_have_no_serious_axe_violations(
    live_server, browser_page, three, viewport
):
    theme, sources = three
    owner = MemberFactory(username="owner", display_name="Olive Owner")
    reading_list = services.create_list(
        owner=owner,
        title="Start with these",
        introduction="Read *these* first.",
        visibility="public",
        sources=sources,
    )
    page = browser_page
    page.set_viewport_size(viewport)
    for source in sources:
        page.goto(f"{live_server.url}/basket/add/?source={source.slug}")
        page.get_by_role("button", name="Add it to my selection").click()
    for path in ("/basket/", "/lists/", reading_list.get_absolute_url()):
        page.goto(live_server.url + path)
        assert_no_serious_violations(page)
    assert page.console_errors == []


def test_on_a_phone_the_selection_is_in_the_menu_and_the_header_keeps_to_two_rows(
    live_server, browser_page, three
):
    page = browser_page
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/")

    brand = page.locator(".site-header .brand").bounding_box()
    log_in_link = page.get_by_role("link", name="Log in").bounding_box()
    menu = page.locator(".site-menu summary").bounding_box()
    search = page.locator(".site-search").bounding_box()
    assert abs(brand["y"] - log_in_link["y"]) < 20, "the brand and the account links share a row"
    assert abs(menu["y"] - search["y"]) < 10, "the search box and the menu share a row"
    assert not page.locator(".site-selection").is_visible()

    page.locator(".site-menu summary").click()
    page.get_by_role("link", name="My selection").click()
    page.wait_for_url("**/basket/")
    assert page.console_errors == []
