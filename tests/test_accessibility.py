"""Accessibility in a real browser: axe-core finds no serious or critical problems on the pages
readers, members and moderators use, and a member can log in and propose a source by keyboard.

axe-core runs inside Chromium through axe-playwright-python, which injects the axe.min.js it
ships (no network). Each page is checked at desktop width; the reading pages also at phone width.
"""

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from comments import flags
from comments.models import Flag
from sources.library import following
from sources.models import LinkHealth, Notice, Source
from sources.proposals import moderation
from sources.proposals.endorsements import set_endorsement

from .browser import PASSWORD, PHONE, log_in
from .factories import (
    CommentFactory,
    MemberFactory,
    ModeratorFactory,
    ProposalFactory,
    SourceFactory,
)

# live_server needs real transactions; the `live_themes` fixture re-creates the themes.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}
BLOCKING_IMPACTS = {"serious", "critical"}
AXE = Axe()


@dataclass
class Library:
    """What the pages under test show: a theme with sources and a discussion, and so on."""

    theme: object
    source: object
    proposal: object
    resubmitted: object
    member: object
    moderator: object
    retracted: object
    comment: object


@pytest.fixture
def library(live_themes, live_site_pages, settings):
    """A small library with something on every page: sources, endorsements, discussions with
    replies, open proposals (one of them the member's), flagged and hidden comments, and
    decisions in the moderation log."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    theme = live_themes[0]
    member = MemberFactory(username="mia", display_name="Mia Member")
    moderator = ModeratorFactory(username="mo", display_name="Mo Moderator")
    proposer = MemberFactory(username="pat", display_name="Pat Proposer")
    others = [MemberFactory(display_name=f"Reader {n}") for n in range(3)]

    source = SourceFactory(
        title="Improvement networks in practice",
        slug="improvement-networks-in-practice",
        doi="10.1136/bmjqs-2015-004315",
        proposer=proposer,
        themes=[theme],
        tags=["networks", "spread"],
    )
    SourceFactory(title="Skilled for improvement", themes=[theme], tags=["skills"])
    SourceFactory(
        title="Why improvement fails to spread",
        themes=[theme],
        stance=Source.Stance.CHALLENGES,
        kind=Source.Kind.JOURNAL_ARTICLE,
    )
    for endorser in [member, *others[:2]]:
        set_endorsement(source=source, member=endorser, endorse=True)

    for target in [{"theme": theme}, {"source": source}]:
        comment = CommentFactory(
            author=others[0], body="Start with **patients**, not with tools.", **target
        )
        CommentFactory(author=member, parent=comment, body="Agreed: it changed our work.", **target)

    flagged = CommentFactory(theme=theme, author=others[1], body="Buy my course today!")
    flags.flag(comment=flagged, member=member, reason=Flag.Reason.SPAM, note="An advert.")
    hidden = CommentFactory(theme=theme, author=others[2], body="Something rude.")
    flags.hide(comment=hidden, moderator=moderator, reason="Disrespectful to another member.")

    proposal = ProposalFactory(
        title="Networks that spread improvement",
        slug="networks-that-spread-improvement",
        proposer=proposer,
        themes=[theme],
        tags=["networks"],
        rationale="The best evidence we have on spread.",
    )
    set_endorsement(source=proposal, member=others[0], endorse=True)
    ProposalFactory(title="Mia's first proposal", proposer=member, themes=[theme])
    sent_back = ProposalFactory(title="Mia's second proposal", proposer=member, themes=[theme])
    moderation.request_changes(
        source=sent_back, moderator=moderator, reason="Please add a link to the report."
    )
    resubmitted = ProposalFactory(
        title="Mia's resubmitted proposal", proposer=member, themes=[theme], year=2019
    )
    moderation.request_changes(
        source=resubmitted, moderator=moderator, reason="Please check the year."
    )
    moderation.edit(
        source=resubmitted,
        editor=member,
        fields={"year": 2020, "title": "Mia's resubmitted proposal, corrected"},
        themes=[theme],
        tags=["spread"],
        resubmit=True,
    )
    CommentFactory(source=proposal, author=others[1], body="Is there a newer edition?")
    approved = ProposalFactory(title="Mia's approved proposal", proposer=member, themes=[theme])
    moderation.approve(source=approved, moderator=moderator, reason="A useful addition.")
    declined = ProposalFactory(title="A proposal out of scope", proposer=proposer, themes=[theme])
    moderation.decline(source=declined, moderator=moderator, reason="Not about health care.")

    # What the periodic checks find: a retraction, a correction, a broken and a moved link.
    retracted = SourceFactory(
        title="A retracted study",
        doi="10.1021/am300292v",
        alert="retraction",
        themes=[theme],
        review_by=date(2020, 1, 1),
        superseded_by=source,
    )
    Notice.objects.create(
        source=retracted,
        kind="retraction",
        notice_doi="10.1021/acsami.9b11759",
        published=date(2019, 7, 26),
    )
    Notice.objects.create(
        source=retracted,
        kind="correction",
        notice_doi="10.1021/am300292v.correction",
        published=date(2018, 1, 5),
    )
    now = timezone.now()
    LinkHealth.objects.create(
        source=retracted,
        checked_url=retracted.url,
        checked_at=now,
        outcome="failed",
        error="404 Not Found",
        failures=8,
        failing_since=now - timedelta(days=8),
        broken=True,
        archive_url="http://web.archive.org/web/20260311082645/https://example.org/reports/1",
    )
    moved = SourceFactory(title="A report that moved", themes=[theme])
    LinkHealth.objects.create(
        source=moved,
        checked_url=moved.url,
        checked_at=now,
        outcome="ok",
        redirects=[[moved.url, 301]],
        final_url=moved.url + "/new",
        moved_to=moved.url + "/new",
    )

    following.set_follow(member=member, theme=theme, follow=True)
    following.set_follow(member=member, source=retracted, follow=True)

    return Library(
        theme=theme,
        source=source,
        proposal=proposal,
        resubmitted=resubmitted,
        member=member,
        moderator=moderator,
        retracted=retracted,
        comment=comment,
    )


# Each page: where it is (a path, a function of the library giving one, or "propose-with-errors",
# which open_page reaches by sending the form) and who is logged in (None: no account).
PAGES = {
    "home": ("/", None),
    "theme": (lambda lib: lib.theme.get_absolute_url(), None),
    "theme-as-member": (lambda lib: lib.theme.get_absolute_url(), "mia"),
    "source": (lambda lib: lib.source.get_absolute_url(), None),
    "source-as-member": (lambda lib: lib.source.get_absolute_url(), "mia"),
    "browse": ("/sources/", None),
    "search": ("/sources/?q=improvement", None),
    "search-empty": ("/sources/?q=zzyzx-no-such-thing", None),
    "reply": (lambda lib: f"/comments/{lib.comment.pk}/reply/", "mia"),
    "propose": ("/sources/propose/", "mia"),
    "propose-with-errors": ("propose-with-errors", "mia"),
    "open-proposals": ("/proposals/", "mia"),
    "my-proposals": ("/me/proposals/", "mia"),
    "moderation-queue": ("/moderation/", "mo"),
    "flagged-comments": ("/moderation/comments/", "mo"),
    "review": (lambda lib: f"/moderation/{lib.proposal.slug}/", "mo"),
    "review-resubmitted": (lambda lib: f"/moderation/{lib.resubmitted.slug}/", "mo"),
    "review-approved": (lambda lib: f"/moderation/{lib.source.slug}/", "mo"),
    "moderation-log": ("/moderation/log/", None),
    "import-list": ("/moderation/import/", "mo"),
    "import-preview": ("import-preview", "mo"),
    "link-health": ("/moderation/links/", "mo"),
    "due-for-review": ("/moderation/due/", "mo"),
    "following": ("/me/following/", "mia"),
    "record-review": (lambda lib: f"/moderation/{lib.retracted.slug}/reviewed/", "mo"),
    "retracted-source": (lambda lib: lib.retracted.get_absolute_url(), None),
    "sign-up": ("/accounts/signup/", None),
    "log-in": ("/accounts/login/", None),
    "profile": ("/members/mia/", None),
    "profile-edit": ("/me/profile/", "mia"),
    "not-found": ("/no-such-page/", None),
    "tag": ("/tags/networks/", None),
    "guidelines": ("/guidelines/", None),
    "about": ("/about/", None),
    "privacy": ("/privacy/", None),
    "contact": ("/contact/", None),
    "log-in-to-propose": ("/accounts/login/?next=/sources/propose/", None),
    "password-reset": ("/accounts/password/reset/", None),
    "account-email": ("/accounts/email/", "mia"),
    "password-change": ("/accounts/password/change/", "mia"),
    "delete-account": ("/me/delete/", "mia"),
    "evidence-map": ("/map/", None),
    "evidence-map-by-kind": ("/map/?by=kind", None),
    "open-data": ("/data/", None),
    "api-docs": ("/api/docs", None),
}
PHONE_PAGES = [
    "home",
    "theme",
    "source",
    "retracted-source",
    "review",
    "review-resubmitted",
    "my-proposals",
    "browse",
    "moderation-log",
    "guidelines",
    "log-in",
    "evidence-map",
    "evidence-map-by-kind",
    "api-docs",
]


def open_page(page, base_url, library, name):
    """Go to the page (logging in first if it needs a user) and open every <details>, so that
    axe also checks the reply forms and other content behind a disclosure.

    Returns the HTTP status the page is expected to answer with."""
    where, username = PAGES[name]
    if username:
        log_in(page, base_url, username)
    if where == "propose-with-errors":
        # Only a title, like one already in the library: field errors and the similar-titles
        # warning with its confirmation checkbox, all at once.
        page.goto(base_url + "/sources/propose/")
        page.locator("input[name=title]").fill(library.source.title)
        with page.expect_navigation():
            page.get_by_role("button", name="Send the proposal").click()
        assert page.locator(".error-summary").is_visible(), "the form was not refused"
        assert page.locator(".notice--warning").is_visible(), "no similar titles shown"
        expected = 400
    elif where == "import-preview":
        # A list with one new entry, one duplicate of the library and one malformed entry.
        page.goto(base_url + "/moderation/import/")
        ris = (
            "TY  - RPRT\nTI  - A new report\nER  - \n"
            f"TY  - RPRT\nTI  - {library.source.title}\nER  - \n"
            "TY  - RPRT\nPY  - 2019\nER  - \n"
        )
        page.locator("input[name=import-file]").set_input_files(
            {
                "name": "list.ris",
                "mimeType": "application/x-research-info-systems",
                "buffer": ris.encode(),
            }
        )
        page.get_by_label(library.theme.title).check()
        page.get_by_label("Refines").check()
        with page.expect_navigation():
            page.get_by_role("button", name="Preview the import").click()
        assert page.get_by_role("button", name="Import 1 proposal").is_visible()
        expected = 200
    else:
        path = where(library) if callable(where) else where
        response = page.goto(base_url + path)
        expected = 404 if name == "not-found" else 200
        assert response.status == expected, f"{path} answered {response.status}"
        if name == "api-docs":  # the reference, and Swagger UI below it once asked for
            page.get_by_role("button", name="Open the interactive documentation").click()
            page.wait_for_selector(".opblock")
    page.evaluate("document.querySelectorAll('details').forEach(details => details.open = true)")
    return expected


def describe(violations):
    """Each violation's id, impact, help and the nodes that fail it, one per line."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            lines.append(f"    {node['target']}: {node.get('failureSummary', '').strip()}")
    return "\n".join(lines)


def assert_no_serious_violations(page):
    results = AXE.run(page)
    violations = [
        violation
        for violation in results.response["violations"]
        if violation["impact"] in BLOCKING_IMPACTS
    ]
    assert not violations, f"axe on {page.url}:\n{describe(violations)}"


def check_page(page, base_url, library, name, viewport):
    page.set_viewport_size(viewport)
    status = open_page(page, base_url, library, name)
    assert_no_serious_violations(page)
    # An error page's own status is logged as a console error; nothing else may be.
    expected = f"the server responded with a status of {status}"
    errors = [error for error in page.console_errors if expected not in error]
    assert errors == [], page.url


@pytest.mark.parametrize("name", PAGES)
def test_page_has_no_serious_axe_violations_on_desktop(name, live_server, browser_page, library):
    check_page(browser_page, live_server.url, library, name, DESKTOP)


@pytest.mark.parametrize("name", PHONE_PAGES)
def test_page_has_no_serious_axe_violations_on_a_phone(name, live_server, browser_page, library):
    check_page(browser_page, live_server.url, library, name, PHONE)


# Keyboard only ------------------------------------------------------------------------------

MAX_TABS = 60
TITLE = "Spreading improvement by keyboard"
FOCUSED = """() => {
    const element = document.activeElement;
    if (!element || element === document.body) return null;
    const style = getComputedStyle(element);
    const box = element.getBoundingClientRect();
    return {
        tag: element.tagName.toLowerCase(),
        type: element.getAttribute("type") || "",
        name: element.getAttribute("name") || "",
        id: element.id,
        text: (element.innerText || element.value || "").trim(),
        label: element.labels && element.labels.length ? element.labels[0].innerText.trim() : "",
        outline: style.outlineStyle,
        outlineWidth: parseFloat(style.outlineWidth) || 0,
        visible: box.width > 0 && box.height > 0 && box.bottom > 0 && box.top < innerHeight,
    };
}"""


def focused(page):
    """What has the focus: its tag, name, text or label, and how its focus is drawn."""
    return page.evaluate(FOCUSED)


def assert_focus_is_visible(page):
    element = focused(page)
    assert element, "nothing has the focus"
    assert element["visible"], f"the focused element is off screen: {element}"
    assert element["outline"] != "none" and element["outlineWidth"] > 0, (
        f"no focus outline on {element}"
    )
    return element


def tab_to(page, predicate, description, key="Tab"):
    """Press Tab (or Shift+Tab) until the focused element matches, at most MAX_TABS times."""
    seen = []
    for _ in range(MAX_TABS):
        page.keyboard.press(key)
        element = focused(page)
        if element and predicate(element):
            return element
        seen.append(element and (element["name"] or element["text"] or element["tag"]))
    raise AssertionError(f"{key} never reached {description}; focus went through {seen}")


def type_into(page, name, text):
    """Tab to the form field with this name (unless it has the focus already) and type."""
    element = focused(page)
    if not (element and element["name"] == name):
        tab_to(page, lambda el: el["name"] == name, f"the {name} field")
    assert_focus_is_visible(page)
    page.keyboard.type(text)


def test_a_member_logs_in_and_proposes_a_source_by_keyboard_alone(
    live_server, browser_page, library
):
    page = browser_page
    base = live_server.url
    theme = library.theme
    page.set_viewport_size(DESKTOP)
    page.goto(base + "/")

    # The first Tab reaches the skip link, hidden above the page until then, which shows itself;
    # Enter moves the focus to the main content.
    assert page.locator(".skip-link").bounding_box()["y"] < 0
    page.keyboard.press("Tab")
    skip = assert_focus_is_visible(page)
    assert skip["text"] == "Skip to main content"
    assert page.get_by_role("link", name="Skip to main content").is_visible()
    page.keyboard.press("Enter")
    assert page.url.endswith("/#main")
    assert focused(page)["id"] == "main"

    # From the main content, Shift+Tab goes back up to the header's "Log in".
    tab_to(page, lambda el: el["text"] == "Log in", "the Log in link", key="Shift+Tab")
    assert_focus_is_visible(page)
    page.keyboard.press("Enter")
    page.wait_for_url("**/accounts/login/**")

    type_into(page, "login", library.member.username)
    type_into(page, "password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(base + "/")
    assert page.get_by_role("button", name="Log out").is_visible()

    # Back on the home page: the skip link again, then Tab through the main content to its
    # "Propose a source" button.
    page.keyboard.press("Tab")
    assert assert_focus_is_visible(page)["text"] == "Skip to main content"
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "main"
    link = tab_to(page, lambda el: el["text"] == "Propose a source", "Propose a source")
    assert link["tag"] == "a"
    assert page.evaluate("document.activeElement.closest('main') !== null")
    assert_focus_is_visible(page)
    page.keyboard.press("Enter")
    page.wait_for_url("**/sources/propose/")

    type_into(page, "title", TITLE)

    # The kind: typing in a focused <select> picks the option; ArrowDown moves on from it.
    tab_to(page, lambda el: el["name"] == "kind", "the Kind select")
    assert_focus_is_visible(page)
    page.keyboard.type("Evaluation")
    assert page.locator("select[name=kind]").input_value() == Source.Kind.EVALUATION
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    assert page.locator("select[name=kind]").input_value() == Source.Kind.EVALUATION

    type_into(page, "url", "https://example.org/by-keyboard")

    # A contributor: Enter on "Add a person" makes a row and puts the focus in its family name.
    tab_to(page, lambda el: el["text"] == "Add a person", "the Add a person button")
    assert_focus_is_visible(page)
    page.keyboard.press("Enter")
    assert assert_focus_is_visible(page)["label"] == "Family name"
    page.keyboard.type("Dixon-Woods")
    page.keyboard.press("Tab")
    assert assert_focus_is_visible(page)["label"] == "Given names or initials"
    page.keyboard.type("Mary")

    # An evaluation is cited with its publisher.
    type_into(page, "publisher", "The Health Foundation")
    type_into(page, "year", "2021")

    # A theme: Space ticks the focused checkbox.
    tab_to(page, lambda el: el["label"] == theme.title, f"the {theme.title} checkbox")
    assert_focus_is_visible(page)
    page.keyboard.press("Space")
    assert page.get_by_role("checkbox", name=theme.title).is_checked()

    type_into(page, "tags", "spread, keyboard")

    # The stance: Tab enters the radio group, arrows move within it, Space picks.
    tab_to(page, lambda el: el["name"] == "stance", "the stance radios")
    assert_focus_is_visible(page)
    page.keyboard.press("Space")
    for _ in range(3):
        if page.get_by_role("radio", name="Challenges").is_checked():
            break
        page.keyboard.press("ArrowDown")
    assert page.get_by_role("radio", name="Challenges").is_checked()

    type_into(page, "summary", "What spread looks like when nobody uses a mouse.")

    submit = tab_to(page, lambda el: el["text"] == "Send the proposal", "the submit button")
    assert submit["tag"] == "button"
    assert_focus_is_visible(page)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/propose/" not in page.url, page.locator("main").inner_text()

    source = Source.objects.get(title=TITLE)
    assert page.url == base + source.get_absolute_url()
    assert page.locator("h1").inner_text() == TITLE
    assert source.status == Source.Status.PROPOSED
    assert source.proposer == library.member
    assert source.kind == Source.Kind.EVALUATION
    assert source.stance == Source.Stance.CHALLENGES
    assert source.year == 2021
    assert source.contributor_names() == ["Mary Dixon-Woods"]
    assert source.publisher == "The Health Foundation"
    assert list(source.themes.all()) == [theme]
    assert sorted(source.tags.names()) == ["keyboard", "spread"]
    assert page.console_errors == []
