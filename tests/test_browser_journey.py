"""A source's whole journey in a real browser: sign-up, proposal, endorsement, approval."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail

from sources.models import Endorsement, Source

from .browser import PASSWORD, log_in, new_page
from .factories import MemberFactory, ModeratorFactory

# live_server needs real transactions; the `live_themes` fixture re-creates the themes.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Improvement collaboratives that did not spread"
CONFIRM_LINK = re.compile(r"https?://\S+?/accounts/confirm-email/[^/\s]+/")


def test_a_source_goes_from_sign_up_to_the_library(
    live_server, browser_page, live_themes, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    base = live_server.url
    theme = live_themes[0]
    member = MemberFactory(username="endorser", display_name="Eli Endorser")
    moderator = ModeratorFactory(username="moderator", display_name="Mo Moderator")
    assert moderator.groups.filter(name="Moderators").exists()
    assert moderator.has_perm("sources.moderate_source")

    # 1. A new person signs up, follows the link in the verification e-mail and confirms.
    proposer = browser_page
    proposer.goto(base + "/accounts/signup/")
    proposer.locator("input[name=username]").fill("newcomer")
    proposer.locator("input[name=email]").fill("newcomer@example.org")
    proposer.locator("input[name=password1]").fill(PASSWORD)
    proposer.locator("input[name=password2]").fill(PASSWORD)
    proposer.locator("main form button[type=submit]").click()
    proposer.wait_for_url("**/accounts/confirm-email/")
    assert proposer.locator("h1").inner_text() == "Confirm your e-mail address"

    [verification] = [m for m in mail.outbox if m.to == ["newcomer@example.org"]]
    link = CONFIRM_LINK.search(verification.body)
    assert link, verification.body
    proposer.goto(base + urlsplit(link.group()).path)
    proposer.get_by_role("button", name="Confirm").click()
    proposer.wait_for_url(base + "/")
    assert proposer.get_by_role("button", name="Log out").is_visible()
    assert proposer.get_by_role("link", name="My proposals").is_visible()

    # 2. They propose a source from the navigation and land on its page.
    proposer.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Propose a source"
    ).click()
    proposer.wait_for_url("**/sources/propose/")
    proposer.get_by_label("Title").fill(TITLE)
    proposer.get_by_label("Kind").select_option(label="Evaluation")
    proposer.get_by_label("URL").fill("https://example.org/collaboratives")
    # With JavaScript the contributors are a row of boxes each; an evaluation needs its publisher.
    proposer.get_by_role("button", name="Add a person").click()
    proposer.get_by_label("Family name").fill("Dixon-Woods")
    proposer.get_by_label("Given names or initials").fill("Mary")
    proposer.get_by_role("button", name="Add an organisation").click()
    proposer.get_by_label("Organisation's name").fill("The Health Foundation")
    proposer.get_by_label("Publisher").fill("The Health Foundation")
    proposer.get_by_role("checkbox", name=theme.title).check()
    proposer.get_by_label("Tags").fill("spread, collaboratives")
    proposer.get_by_label("Summary").fill("What happened when collaboratives tried to spread.")
    proposer.get_by_role("radio", name="Challenges").check()
    proposer.get_by_role("button", name="Send the proposal").click()
    proposer.wait_for_url("**/sources/*/")
    assert proposer.locator("h1").inner_text() == TITLE
    assert "it is not in the library yet" in proposer.locator(".source__status").inner_text()
    source = Source.objects.get(title=TITLE)
    assert source.status == Source.Status.PROPOSED
    assert source.proposer.username == "newcomer"
    assert source.stance == Source.Stance.CHALLENGES
    assert source.contributor_names() == ["Mary Dixon-Woods", "The Health Foundation"]
    assert source.publisher == "The Health Foundation"
    assert list(source.themes.all()) == [theme]
    assert sorted(source.tags.names()) == ["collaboratives", "spread"]

    # 3. Another member endorses it from the open proposals, without a page reload.
    endorser = new_page(browser_page)
    log_in(endorser, base, member.username)
    endorser.goto(base + "/proposals/")
    endorser.get_by_role("link", name=TITLE).click()
    endorser.wait_for_url(base + source.get_absolute_url())
    count = endorser.locator("[data-endorse-count] strong")
    assert count.inner_text() == "0 endorsements"
    endorser.evaluate("window.__marker = 1")
    endorser.get_by_role("button", name="Endorse this source").click()
    endorser.get_by_role("button", name="Withdraw my endorsement").wait_for()
    assert count.inner_text() == "1 endorsement"
    assert endorser.url == base + source.get_absolute_url()
    assert endorser.evaluate("window.__marker") == 1, "the page reloaded"
    assert Endorsement.objects.filter(source=source, member=member).count() == 1
    source.refresh_from_db()
    assert source.endorsement_count == 1

    # 4. A moderator approves it from the queue.
    moderator_page = new_page(browser_page)
    log_in(moderator_page, base, moderator.username)
    moderator_page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Moderation"
    ).click()
    moderator_page.wait_for_url("**/moderation/")
    moderator_page.get_by_role("link", name=f"Review “{TITLE}”").click()
    moderator_page.wait_for_url(f"**/moderation/{source.slug}/")
    moderator_page.get_by_role("radio", name="Approve").check()
    moderator_page.get_by_role("button", name="Record the decision").click()
    moderator_page.wait_for_url(base + "/moderation/")
    message = moderator_page.locator(".messages").inner_text()
    assert f"Approved: “{TITLE}” is now in the library." in message
    source.refresh_from_db()
    assert source.status == Source.Status.APPROVED

    # 5. The source is on its theme page, the proposer is told, and their list says so.
    reader = new_page(browser_page)
    reader.goto(base + theme.get_absolute_url())
    assert reader.get_by_role("link", name=TITLE).is_visible()

    [decision] = [
        m for m in mail.outbox if m.to == ["newcomer@example.org"] and m is not verification
    ]
    assert f'your proposal "{TITLE}" is now in the Q Library' in decision.body

    proposer.goto(base + "/me/proposals/")
    card = proposer.locator(".proposal").filter(has_text=TITLE)
    assert card.locator(".badge--status").text_content() == "Status: Approved"

    for page in [proposer, endorser, moderator_page, reader]:
        assert page.console_errors == [], page.url
