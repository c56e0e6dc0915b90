"""In a real browser: a member previews a comment before posting it, and a DOI that "Fill in"
cannot find lands in the form's DOI field instead of being lost."""

import pytest
from playwright.sync_api import expect

from comments.models import Comment

from .browser import PHONE, log_in
from .factories import MemberFactory
from .test_lookup import recorded

# live_server needs real transactions; the `live_themes` fixture re-creates the themes.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_member_previews_a_comment_then_posts_it(live_server, browser_page, live_themes):
    MemberFactory(username="pat")
    theme = live_themes[0]
    page = browser_page
    page.set_viewport_size(PHONE)
    log_in(page, live_server.url, "pat")
    page.goto(live_server.url + theme.get_absolute_url() + "#discussion")

    page.get_by_label("Your comment").fill("We tried **this** in our ward.\n\n- it worked")
    page.get_by_role("button", name="Preview", exact=True).click()

    preview = page.locator(".comment-preview")
    expect(preview.locator("strong")).to_have_text("this")
    expect(preview.locator("li")).to_have_text("it worked")
    assert not Comment.objects.exists()
    page.get_by_role("button", name="Post comment").click()
    page.wait_for_url(f"**{theme.get_absolute_url()}**")
    assert Comment.objects.get().body == "We tried **this** in our ward.\n\n- it worked"
    assert page.console_errors == []


def test_a_doi_not_found_is_put_into_the_doi_field(live_server, browser_page, outside):
    outside.expect_request("/doi/10.1126/foo").respond_with_data(
        recorded("doi-not-found.html"), status=404, content_type="text/html;charset=utf-8"
    )
    MemberFactory(username="pat")
    page = browser_page
    log_in(page, live_server.url, "pat")
    page.goto(live_server.url + "/sources/propose/")

    page.get_by_label("DOI, PubMed ID, ISBN or web address").fill("https://doi.org/10.1126/foo")
    page.get_by_role("button", name="Fill in").click()

    status = page.locator("[data-lookup-status]")
    expect(status).to_contain_text("No record was found for the DOI 10.1126/foo.")
    expect(status).to_contain_text("It is now in the “DOI” field below")
    assert page.get_by_label("DOI", exact=True).input_value() == "10.1126/foo"
    assert page.console_errors == []
