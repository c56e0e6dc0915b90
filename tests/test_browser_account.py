"""A member closes their account in a real browser, by keyboard alone and without JavaScript."""

import pytest

from qlibrary.models import User

from .browser import PASSWORD, log_in, watched
from .factories import MemberFactory

# live_server needs real transactions; the `live_site_pages` fixture re-creates the pages.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_member_deletes_their_account_by_keyboard_without_javascript(
    live_server, browser_page, live_themes, live_site_pages
):
    MemberFactory(username="mia")
    context = browser_page.context.browser.new_context(java_script_enabled=False)
    page = watched(context.new_page())
    log_in(page, live_server.url, "mia")
    page.goto(live_server.url + "/me/profile/")
    page.get_by_role("link", name="Delete my account").click()
    page.wait_for_url("**/me/delete/")

    page.get_by_role("link", name="privacy page").focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert page.url == live_server.url + "/"
    assert "Your account is deleted." in page.locator(".messages").inner_text()
    assert page.get_by_role("link", name="Log in").is_visible()
    assert not User.objects.filter(username="mia").exists()
    page.goto(live_server.url + "/privacy/")
    assert page.locator("h1").inner_text() == "Privacy"
    assert page.console_errors == []
