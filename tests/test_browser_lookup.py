"""Filling the proposal form from an identifier in a real browser, with JavaScript (in place)
and without it (the form comes back filled); the services are served on 127.0.0.1."""

import pytest
from playwright.sync_api import expect

from sources.models import Source

from .browser import log_in, watched
from .factories import MemberFactory
from .test_accessibility import assert_no_serious_violations
from .test_lookup import SCIENCE_DOI, recorded, serve_doi, serve_page, serve_pubmed

# live_server needs real transactions; the `live_themes` fixture re-creates the themes.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IDENTIFIER = "DOI, PubMed ID, ISBN or web address"
PLOS_TITLE = (
    "Assessment on reticuloendotheliosis virus infection in specific-pathogen-free chickens "
    "based on detection of yolk antibody"
)


@pytest.fixture
def services(outside):
    """The DOI resolver, E-utilities and an article page, answering as recorded."""
    serve_doi(outside, SCIENCE_DOI, recorded("doi-csl-json.json"))
    serve_pubmed(outside, "27933103", recorded("eutils-esummary.json"))
    outside.expect_request("/doi/10.1126/foo").respond_with_data(
        recorded("doi-not-found.html"), status=404, content_type="text/html;charset=utf-8"
    )
    article = serve_page(outside, "/plosone/article", recorded("highwire-meta.html"))
    return {"article": article}


def value(page, label, exact=False):
    return page.get_by_label(label, exact=exact).input_value()


def fill_in(page, identifier, *, press_enter=False):
    box = page.get_by_label(IDENTIFIER)
    box.fill(identifier)
    if press_enter:
        box.press("Enter")
    else:
        page.get_by_role("button", name="Fill in").click()


def send_with_theme_and_stance(page, theme):
    page.get_by_role("checkbox", name=theme.title).check()
    page.get_by_role("radio", name="Refines").check()
    page.get_by_role("button", name="Send the proposal", exact=True).click()
    page.wait_for_url("**/sources/*/")


def test_the_form_fills_in_place_with_javascript(live_server, browser_page, live_themes, services):
    MemberFactory(username="filler")
    page = browser_page
    base = live_server.url
    log_in(page, base, "filler")
    page.goto(base + "/sources/propose/")
    page.evaluate("window.__marker = 1")
    status = page.locator("[data-lookup-status]")

    # A DOI, by the button.
    fill_in(page, f"https://doi.org/{SCIENCE_DOI}")
    expect(status).to_contain_text(f"Filled in from the DOI {SCIENCE_DOI}: title, kind, URL")
    assert value(page, "Title") == "The Structure of Ordinary Water"
    assert value(page, "DOI", exact=True) == SCIENCE_DOI
    # The authors come as lines of the text area, shown as a row of boxes each.
    assert value(page, "Authors and editors") == "Frank, Henry S."
    assert value(page, "Family name") == "Frank"
    assert value(page, "Given names or initials") == "Henry S."
    assert value(page, "Year") == "1970"
    assert page.get_by_label("Kind").input_value() == "journal_article"
    assert page.get_by_label(IDENTIFIER).input_value() == ""

    # A PubMed ID, by Enter in the identifier box; the summary written so far stays.
    page.get_by_label("Summary").fill("Chemistry students can print what they study.")
    fill_in(page, "27933103", press_enter=True)
    expect(status).to_contain_text("Filled in from the PubMed ID 27933103")
    assert value(page, "Title") == (
        "Programmatic conversion of crystal structures into 3D printable files using Jmol"
    )
    assert value(page, "DOI", exact=True) == "10.1186/s13321-016-0181-z"
    assert value(page, "Summary") == "Chemistry students can print what they study."

    # A failure says so in one sentence and leaves the form as it was.
    fill_in(page, "10.1126/foo")
    expect(status).to_have_text("No record was found for the DOI 10.1126/foo.")
    assert value(page, "DOI", exact=True) == "10.1186/s13321-016-0181-z"
    assert page.get_by_label(IDENTIFIER).input_value() == "10.1126/foo"

    # A web page's citation tags.
    fill_in(page, services["article"])
    expect(status).to_contain_text("Filled in from the web address")
    assert value(page, "Title") == PLOS_TITLE
    assert value(page, "URL", exact=True) == services["article"]
    assert value(page, "DOI", exact=True) == "10.1371/journal.pone.0213978"
    assert value(page, "Year") == "2019"
    assert page.evaluate("window.__marker") == 1, "the page reloaded"
    assert_no_serious_violations(page)

    # Nothing was saved until the member sends the proposal.
    assert not Source.objects.exists()
    send_with_theme_and_stance(page, live_themes[0])
    source = Source.objects.get()
    assert (source.title, source.doi, source.year) == (
        PLOS_TITLE,
        "10.1371/journal.pone.0213978",
        2019,
    )
    assert page.console_errors == []


def test_the_form_fills_without_javascript(live_server, browser_page, live_themes, services):
    MemberFactory(username="plain")
    context = browser_page.context.browser.new_context(java_script_enabled=False)
    page = watched(context.new_page())
    base = live_server.url
    log_in(page, base, "plain")
    page.goto(base + "/sources/propose/")
    status = page.locator("[data-lookup-status]")

    fill_in(page, SCIENCE_DOI)
    page.wait_for_url(base + "/sources/propose/")
    expect(status).to_contain_text(f"Filled in from the DOI {SCIENCE_DOI}")
    assert value(page, "Title") == "The Structure of Ordinary Water"
    assert value(page, "Year") == "1970"
    assert value(page, "DOI", exact=True) == SCIENCE_DOI

    page.get_by_role("radio", name="Challenges").check()
    fill_in(page, "27933103", press_enter=False)
    expect(status).to_contain_text("Filled in from the PubMed ID 27933103")
    assert value(page, "DOI", exact=True) == "10.1186/s13321-016-0181-z"
    assert page.get_by_role("radio", name="Challenges").is_checked(), "a chosen value was lost"

    fill_in(page, "10.1126/foo")
    expect(status).to_have_text("No record was found for the DOI 10.1126/foo.")
    assert value(page, "DOI", exact=True) == "10.1186/s13321-016-0181-z"

    fill_in(page, services["article"])
    expect(status).to_contain_text("Filled in from the web address")
    assert value(page, "Title") == PLOS_TITLE
    assert value(page, "Authors and editors").startswith("Li, Yang\nWang, Tuanjie\n")
    assert not Source.objects.exists()

    send_with_theme_and_stance(page, live_themes[0])
    source = Source.objects.get()
    assert (source.title, source.doi, source.kind) == (
        PLOS_TITLE,
        "10.1371/journal.pone.0213978",
        Source.Kind.JOURNAL_ARTICLE,
    )


def test_enter_in_the_identifier_box_fills_without_javascript(
    live_server, browser_page, live_themes, services
):
    MemberFactory(username="enter")
    context = browser_page.context.browser.new_context(java_script_enabled=False)
    page = watched(context.new_page())
    log_in(page, live_server.url, "enter")
    page.goto(live_server.url + "/sources/propose/")

    fill_in(page, "27933103", press_enter=True)

    expect(page.locator("[data-lookup-status]")).to_contain_text("PubMed ID 27933103")
    assert value(page, "Year") == "2016"
    assert not Source.objects.exists()
