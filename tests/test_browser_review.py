"""In a real browser: a moderator reviews a proposal with everything in front of them, sends it
back, the proposer resubmits it and follows its history, and the moderator sees what changed."""

import re

import pytest

from comments.discussion import post
from sources.models import ModerationEvent, Source
from sources.perspectives import Perspective
from sources.proposals import moderation
from sources.proposals.endorsements import set_endorsement

from .browser import PHONE, log_in, new_page
from .factories import MemberFactory, ModeratorFactory

# live_server needs real transactions; the `live_themes` fixture re-creates the themes.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Networks that spread improvement"


def test_a_moderator_sends_a_proposal_back_and_sees_what_the_proposer_changed(
    live_server, browser_page, live_themes, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    base = live_server.url
    theme = live_themes[0]
    moderator = ModeratorFactory(username="mo", display_name="Mo Moderator")
    proposer = MemberFactory(
        username="pat", display_name="Pat Proposer", perspective=Perspective.PATIENT
    )
    endorser = MemberFactory(
        username="cleo", display_name="Cleo Clinician", perspective=Perspective.CLINICIAN
    )
    source = moderation.submit(
        source=Source(
            title=TITLE,
            url="https://example.org/networks",
            kind=Source.Kind.EVALUATION,
            publisher="The Health Foundation",
            stance=Source.Stance.CHALLENGES,
            year=2019,
            summary="How networks carry improvement from one place to another.",
            rationale="The best evidence we have on spread.",
            conflict_of_interest="I sat on its steering group.",
        ),
        proposer=proposer,
        themes=[theme],
        tags=["networks"],
    )
    set_endorsement(source=source, member=endorser, endorse=True)
    post(author=endorser, target=source, body="We used it in our network.")

    # The queue, which the browser may reach with the "#decision" of the review page's link.
    queue = re.compile(re.escape(base) + r"/moderation/(#decision)?$")

    # 1. The review page shows the proposal itself, its endorsers and its discussion.
    page = browser_page
    log_in(page, base, moderator.username)
    page.goto(base + f"/moderation/{source.slug}/")
    main = page.locator("main")
    for text in [
        "How networks carry improvement from one place to another.",
        "The best evidence we have on spread.",
        "I sat on its steering group.",
        "Patient or carer partner",
        "Cleo Clinician",
        "We used it in our network.",
        "https://example.org/networks",
    ]:
        assert main.get_by_text(text).first.is_visible(), text
    assert (
        page.get_by_role("heading", name="What changed since changes were asked for").count() == 0
    )

    # 2. The moderator asks for changes, without opening "Correct the details".
    page.get_by_role("link", name="Go to the decision").click()
    page.get_by_role("radio", name="Ask the proposer for changes").check()
    page.get_by_label("Reason", exact=True).fill("Please check the year it came out.")
    # A ready-made reason is added to what was typed as soon as it is chosen (moderation.js).
    page.get_by_label("Ready-made reasons").select_option(label="Details missing")
    assert page.get_by_label("Reason", exact=True).input_value() == (
        "Please check the year it came out.\n\nPlease complete its details (authors, year and "
        "publisher or journal) so that readers can find and cite it."
    )
    assert not page.get_by_role("button", name="Add this reason").is_visible()
    page.get_by_role("button", name="Record the decision").click()
    page.wait_for_url(queue)
    assert "is back with its proposer, with your reason" in page.locator(".messages").inner_text()

    # 3. The proposer edits and resubmits from "My proposals".
    member = new_page(browser_page)
    member.set_viewport_size(PHONE)
    log_in(member, base, proposer.username)
    member.goto(base + "/me/proposals/")
    card = member.locator(".proposal").filter(has_text=TITLE)
    assert "Mo Moderator asked for changes" in card.inner_text()
    card.get_by_role("link", name=f"Edit and resubmit “{TITLE}”").click()
    member.wait_for_url(f"**/sources/{source.slug}/edit/")
    member.get_by_label("Year").fill("2020")
    member.get_by_role("button", name="Save and resubmit for a decision").click()
    member.wait_for_url(base + source.get_absolute_url())

    # 4. Its card says it waits for a decision and tells its own history, in order.
    member.goto(base + "/me/proposals/")
    card = member.locator(".proposal").filter(has_text=TITLE)
    text = card.inner_text()
    assert "Waiting for a moderator's decision." in text
    assert "Mo Moderator asked for changes" not in text
    assert "Proposed by" not in text
    history = card.locator(".history li")
    assert history.count() == 3
    assert "Submitted" in history.nth(0).inner_text()
    assert "Asked for changes by Mo Moderator" in history.nth(1).inner_text()
    assert "Please check the year it came out." in history.nth(1).inner_text()
    assert "Resubmitted" in history.nth(2).inner_text()
    assert history.nth(2).is_visible()

    # 5. The moderator sees, field by field, what changed, and approves.
    page.goto(base + f"/moderation/{source.slug}/")
    changes = page.locator(".changes")
    assert changes.is_visible()
    assert changes.locator(".change").count() == 1
    assert changes.locator("dt").inner_text() == "Year"
    # Word by word, each mark saying what it is to a screen reader.
    assert changes.locator("del").text_content() == "removed: 2019"
    assert changes.locator("ins").text_content() == "added: 2020"
    page.get_by_role("radio", name="Approve").check()
    page.get_by_role("button", name="Record the decision").click()
    page.wait_for_url(queue)
    source.refresh_from_db()
    assert source.status == Source.Status.APPROVED
    assert [event.action for event in source.events.order_by("pk")] == [
        ModerationEvent.Action.SUBMIT,
        ModerationEvent.Action.REQUEST_CHANGES,
        ModerationEvent.Action.RESUBMIT,
        ModerationEvent.Action.APPROVE,
    ]

    for each in [page, member]:
        assert each.console_errors == [], each.url
