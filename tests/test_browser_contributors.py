"""The contributors as rows of boxes where JavaScript runs: what the member types there reaches
the server as the same lines the text area takes without JavaScript."""

import pytest
from playwright.sync_api import expect

from sources.models import Source

from .browser import log_in
from .factories import MemberFactory
from .test_accessibility import assert_no_serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_member_enters_contributors_in_rows_and_they_are_saved_in_order(
    live_server, browser_page, live_themes
):
    MemberFactory(username="rows")
    page = browser_page
    log_in(page, live_server.url, "rows")
    page.goto(live_server.url + "/sources/propose/")
    editor = page.get_by_role("group", name="Contributors, a row each")
    expect(editor).to_be_visible()
    expect(page.locator("textarea[name=contributors]")).to_be_hidden()

    page.get_by_role("button", name="Add a person").click()
    editor.get_by_label("Family name").fill("van der Berg")
    editor.get_by_label("Given names or initials").fill("Jan")
    page.get_by_role("button", name="Add an organisation").click()
    editor.get_by_label("Organisation's name").fill("Sustainable Improvement Team, NHS England")
    page.get_by_role("button", name="Move contributor 2 up").click()
    editor.get_by_label("Role of contributor 2").select_option("editor")
    editor.get_by_label("et al.").check()
    assert_no_serious_violations(page)

    page.get_by_label("Title").fill("Networks that spread improvement")
    page.get_by_label("Kind").select_option("journal_article")
    page.get_by_label("Journal, book, website or series").fill("BMJ Quality & Safety")
    page.get_by_label("Summary").fill("Why it matters.")
    page.get_by_role("checkbox", name=live_themes[0].title).check()
    page.get_by_role("radio", name="Refines").check()
    page.get_by_role("button", name="Send the proposal", exact=True).click()
    page.wait_for_url("**/sources/*/")

    source = Source.objects.get(title="Networks that spread improvement")
    assert source.contributors == [
        {"role": "author", "literal": "Sustainable Improvement Team, NHS England"},
        {"role": "editor", "family": "van der Berg", "given": "Jan"},
    ]
    assert source.et_al is True
    assert page.console_errors == []


def test_the_boxes_and_the_text_area_hold_the_same_contributors(
    live_server, browser_page, live_themes
):
    MemberFactory(username="toggler")
    page = browser_page
    log_in(page, live_server.url, "toggler")
    page.goto(live_server.url + "/sources/propose/")

    page.get_by_role("button", name="Add a person").click()
    page.get_by_label("Family name").fill("Batalden")
    page.get_by_label("Given names or initials").fill("P.")
    page.get_by_role("button", name="Type them as text instead").click()

    text = page.locator("textarea[name=contributors]")
    expect(text).to_be_visible()
    assert text.input_value() == "Batalden, P."
    text.fill("Batalden, P.\nOrganisation: The Health Foundation\net al.")
    page.get_by_role("button", name="Use a row of boxes for each").click()

    editor = page.get_by_role("group", name="Contributors, a row each")
    assert editor.get_by_label("Organisation's name").input_value() == "The Health Foundation"
    expect(editor.get_by_label("et al.")).to_be_checked()
    assert page.console_errors == []
