"""A security sweep: CSRF on every write, user text never becoming markup, unsafe URLs refused,
no open redirects, and the security headers, including HSTS and the HTTPS redirect in production.

The per-role access rules live in test_permissions.py; here every check runs through the real
forms and pages, so a template that forgets to escape, or a view that forgets CSRF, fails here.
"""

from html import escape as html_escape
from html.parser import HTMLParser
from urllib.parse import quote, urljoin, urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from comments import discussion, flags
from comments.models import Comment, Flag
from qlibrary.models import User
from qlibrary.outbox.models import OutgoingEmail
from sources.models import Endorsement, ModerationEvent, Source

from .factories import (
    MemberFactory,
    ModeratorFactory,
    ProposalFactory,
    SourceFactory,
    proposal_form_data,
    review_form_data,
)

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"


# The page checker


class MarkupChecker(HTMLParser):
    """Collects every way a page could run script that the site did not write itself."""

    URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster"}
    FORBIDDEN_TAGS = {"xss", "iframe", "object", "embed", "base"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []
        self.in_head = False
        self.in_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "head":
            self.in_head = True
        elif tag == "body":
            self.in_head = False
        if tag == "script":
            src = attributes.get("src") or ""
            if not (self.in_head and src.startswith("/static/")):
                self.problems.append(f"<script {attrs}> outside the site's own head scripts")
            self.in_script = True
        if tag in self.FORBIDDEN_TAGS:
            self.problems.append(f"<{tag}> element")
        if tag == "img" and attributes.get("src") == "x":
            self.problems.append("injected <img src=x>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}={value!r}> event handler")
            if name in self.URL_ATTRIBUTES and value:
                scheme = "".join(value.split()).lower()
                if scheme.startswith(("javascript:", "data:", "vbscript:")):
                    self.problems.append(f"<{tag} {name}={value!r}> script URL")
        if tag == "meta" and (attributes.get("http-equiv") or "").lower() == "refresh":
            self.problems.append("<meta http-equiv=refresh>")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag == "script":
            self.in_script = False

    def handle_endtag(self, tag):
        if tag == "head":
            self.in_head = False
        if tag == "script":
            self.in_script = False

    def handle_data(self, data):
        if self.in_script and data.strip():
            self.problems.append(f"inline script: {data.strip()[:60]!r}")


def markup_problems(content):
    checker = MarkupChecker()
    checker.feed(content)
    checker.close()
    return checker.problems


def assert_safe(response, url=""):
    assert response.status_code < 500, (url, response.status_code)
    content = response.content.decode()
    problems = markup_problems(content)
    assert not problems, (url, problems)
    return content


def test_the_checker_catches_what_it_is_meant_to_catch():
    """The checker must not pass a page because it misses the injection it looks for."""
    head = '<html><head><script src="/static/js/site.js" defer></script></head><body>'
    assert markup_problems(head + "<p>fine &lt;script&gt;</p></body></html>") == []
    for injected in [
        "<script>alert(1)</script>",
        '<script src="https://evil.example/x.js"></script>',
        '<script src="/static/js/site.js"></script>',  # in the body: not where the site puts it
        '"><img src=x onerror=alert(1)>',
        "<svg/onload=alert(1)>",
        "'';!--\"<XSS>=&{()}",
        '<a href="javascript:alert(1)">x</a>',
        '<a href=" JaVaScRiPt:alert(1)">x</a>',
        '<a href="data:text/html,x">x</a>',
        '<form action="javascript:alert(1)"></form>',
    ]:
        assert markup_problems(head + injected + "</body></html>"), injected


# Personas and the little library the sweeps write to


@pytest.fixture
def world(theme, member, proposer, other_member, moderator, staff, unverified):
    """An approved source, an open proposal, and comments in every state the views act on."""
    source = SourceFactory(
        title="Approved evidence", slug="approved-evidence", proposer=proposer, themes=[theme]
    )
    proposal = ProposalFactory(
        title="Open proposal", slug="open-proposal", proposer=proposer, themes=[theme]
    )
    mine = discussion.post(author=member, target=source, body="My own comment.")
    theirs = discussion.post(author=other_member, target=theme, body="Someone else's comment.")
    flagged = discussion.post(author=other_member, target=source, body="A flagged comment.")
    flags.flag(comment=flagged, member=proposer, reason=Flag.Reason.SPAM)
    hidden = discussion.post(author=other_member, target=theme, body="A hidden comment.")
    flags.hide(comment=hidden, moderator=moderator, reason="Off-topic")
    return {
        "theme": theme,
        "source": source,
        "proposal": proposal,
        "mine": mine,
        "theirs": theirs,
        "flagged": flagged,
        "hidden": hidden,
    }


def snapshot():
    """Everything a write could change, in a comparable form."""
    return {
        "sources": list(
            Source.objects.order_by("pk").values_list(
                "pk",
                "title",
                "status",
                "endorsement_count",
                "comment_count",
                "decision_reason",
                "updated_at",
            )
        ),
        "tags": sorted(Source.tags.through.objects.values_list("content_object_id", "tag_id")),
        "endorsements": list(Endorsement.objects.order_by("pk").values_list("pk", flat=True)),
        "comments": list(
            Comment.objects.order_by("pk").values_list("pk", "body", "status", "edited_at")
        ),
        "flags": list(Flag.objects.order_by("pk").values_list("pk", "dismissed_at")),
        "events": ModerationEvent.objects.count(),
        "users": list(
            User.objects.order_by("pk").values_list(
                "pk", "display_name", "organisation", "bio", "password", "last_login"
            )
        ),
        "addresses": EmailAddress.objects.count(),
        "sessions": sorted(Session.objects.values_list("session_key", flat=True)),
        "mail": len(mail.outbox),
        "queued mail": OutgoingEmail.objects.count(),
    }


# CSRF: every write refuses a POST without a token

TOKEN = "a" * 32  # a well-formed CSRF secret; sent as the cookie and as the form field


def _write(name, persona, url, data):
    return pytest.param(persona, url, data, id=name)


WRITES = [
    _write(
        "propose",
        "member",
        lambda w: reverse("sources:propose"),
        lambda w: proposal_form_data(w["theme"], title="A brand new source"),
    ),
    _write(
        "edit",
        "proposer",
        lambda w: reverse("sources:edit", args=[w["proposal"].slug]),
        lambda w: proposal_form_data(
            w["theme"], title="Open proposal, renamed", url=w["proposal"].url, doi=""
        ),
    ),
    _write(
        "withdraw",
        "proposer",
        lambda w: reverse("sources:withdraw", args=[w["proposal"].slug]),
        lambda w: {},
    ),
    _write(
        "endorse",
        "member",
        lambda w: reverse("sources:endorse", args=[w["source"].slug]),
        lambda w: {"endorse": "1"},
    ),
    _write(
        "review-decide",
        "moderator",
        lambda w: reverse("sources:review", args=[w["proposal"].slug]),
        lambda w: review_form_data(w["proposal"], "decline", reason="Out of scope"),
    ),
    _write(
        "retire",
        "moderator",
        lambda w: reverse("sources:retire", args=[w["source"].slug]),
        lambda w: {"retire-reason": "Superseded"},
    ),
    _write(
        "profile-edit",
        "member",
        lambda w: reverse("edit_profile"),
        lambda w: {"display_name": "Changed name", "organisation": "", "bio": ""},
    ),
    _write(
        "comment-on-theme",
        "member",
        lambda w: reverse("comments:post_on_theme", args=[w["theme"].slug]),
        lambda w: {"body": "A new comment on the theme."},
    ),
    _write(
        "comment-on-source",
        "member",
        lambda w: reverse("comments:post_on_source", args=[w["source"].slug]),
        lambda w: {"body": "A new comment on the source."},
    ),
    _write(
        "comment-reply",
        "member",
        lambda w: reverse("comments:post_on_theme", args=[w["theme"].slug]),
        lambda w: {"body": "A reply.", "parent": w["theirs"].pk},
    ),
    _write(
        "comment-edit",
        "member",
        lambda w: reverse("comments:edit", args=[w["mine"].pk]),
        lambda w: {"body": "My comment, rewritten."},
    ),
    _write(
        "comment-delete",
        "member",
        lambda w: reverse("comments:delete", args=[w["mine"].pk]),
        lambda w: {},
    ),
    _write(
        "comment-flag",
        "member",
        lambda w: reverse("comments:flag", args=[w["theirs"].pk]),
        lambda w: {"reason": Flag.Reason.OFF_TOPIC, "note": ""},
    ),
    _write(
        "comment-hide",
        "moderator",
        lambda w: reverse("comments:hide", args=[w["flagged"].pk]),
        lambda w: {"reason": "Spam"},
    ),
    _write(
        "comment-restore",
        "moderator",
        lambda w: reverse("comments:restore", args=[w["hidden"].pk]),
        lambda w: {"reason": "On reflection, fine"},
    ),
    _write(
        "comment-dismiss-flags",
        "moderator",
        lambda w: reverse("comments:dismiss", args=[w["flagged"].pk]),
        lambda w: {},
    ),
    _write(
        "login",
        "anonymous",
        lambda w: reverse("account_login"),
        lambda w: {"login": "member", "password": PASSWORD},
    ),
    _write(
        "signup",
        "anonymous",
        lambda w: reverse("account_signup"),
        lambda w: {
            "username": "newcomer",
            "email": "newcomer@example.org",
            "password1": "another-long-password-42",
            "password2": "another-long-password-42",
        },
    ),
    _write("logout", "member", lambda w: reverse("account_logout"), lambda w: {}),
    _write(
        "password-reset",
        "anonymous",
        lambda w: reverse("account_reset_password"),
        lambda w: {"email": "member@example.org"},
    ),
    _write(
        "password-change",
        "member",
        lambda w: reverse("account_change_password"),
        lambda w: {
            "oldpassword": PASSWORD,
            "password1": "a-different-password-42",
            "password2": "a-different-password-42",
        },
    ),
    _write(
        "email-add",
        "member",
        lambda w: reverse("account_email"),
        lambda w: {"action_add": "", "email": "second@example.org"},
    ),
]


@pytest.fixture
def csrf_client(request):
    """A client that enforces CSRF like a browser would meet it, signed in as the persona."""

    def make(persona):
        client = Client(enforce_csrf_checks=True)
        client.raise_request_exception = False
        if persona != "anonymous":
            client.force_login(request.getfixturevalue(persona))
        return client

    return make


@pytest.mark.parametrize(("persona", "url", "data"), WRITES)
def test_every_write_refuses_a_post_without_a_csrf_token(world, csrf_client, persona, url, data):
    client = csrf_client(persona)
    url, data = url(world), data(world)
    before = snapshot()

    refused = client.post(url, data)

    assert refused.status_code == 403, refused.status_code
    assert snapshot() == before

    # The same client with a token gets through: the 403 above was the CSRF check, not a rule.
    client.cookies["csrftoken"] = TOKEN
    accepted = client.post(url, {**data, "csrfmiddlewaretoken": TOKEN})

    assert accepted.status_code in (200, 302), accepted.status_code
    assert snapshot() != before


@pytest.mark.parametrize(("persona", "url", "data"), WRITES)
def test_every_write_refuses_a_token_that_does_not_match_the_cookie(
    world, csrf_client, persona, url, data
):
    client = csrf_client(persona)
    url, data = url(world), data(world)
    client.cookies["csrftoken"] = TOKEN
    before = snapshot()

    response = client.post(url, {**data, "csrfmiddlewaretoken": "b" * 32})

    assert response.status_code == 403
    assert snapshot() == before


def test_the_endorse_button_refuses_a_json_post_without_a_token(world, csrf_client):
    client = csrf_client("member")
    before = snapshot()

    response = client.post(
        reverse("sources:endorse", args=[world["source"].slug]),
        {"endorse": "1"},
        headers={"accept": "application/json"},
    )

    assert response.status_code == 403
    assert snapshot() == before


# XSS: every piece of user text shown back stays text

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "'';!--\"<XSS>=&{()}",
    "<svg/onload=alert(1)>",
    "</textarea><script>alert(1)</script>",
    "' onmouseover='alert(1)",
]
PAYLOAD_IDS = ["script", "attribute-breakout", "js-url", "xss-locator", "svg", "textarea", "quote"]
TAG_PAYLOADS = ["<b>x</b>", "<svg/onload=alert(1)>", "<img src=x onerror=alert(1)>"]


def assert_shown_escaped(content, text, where):
    """The text is on the page, escaped as Django escapes it (or as html.escape does)."""
    assert escape(text) in content or html_escape(text) in content, (where, text)


@pytest.fixture
def approved_payload_source(client, theme, member, moderator, request):
    """A source proposed through the form with the payload in every text field, then approved
    through the review form with the payload as the reason; the queue is checked on the way."""
    payload = request.param
    client.force_login(member)
    fields = {
        "title": f"Evidence {payload}",
        "contributors": f"Author, A.\nOrganisation: Body {payload}",
        "publisher": f"Trust {payload}",
        "container_title": f"Journal {payload}",
        "summary": f"Summary {payload}",
        "rationale": f"Rationale {payload}",
        "conflict_of_interest": f"Conflict {payload}",
    }
    data = proposal_form_data(
        theme, **fields, tags=", ".join(TAG_PAYLOADS), doi="", confirm_not_duplicate="on"
    )
    response = client.post(reverse("sources:propose"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    source = Source.objects.get(proposer=member)

    pages = {}
    for url in [
        source.get_absolute_url(),
        reverse("sources:proposals"),
        reverse("sources:my_proposals"),
    ]:
        pages[url] = client.get(url)
    client.force_login(moderator)
    for url in [reverse("sources:moderation"), reverse("sources:review", args=[source.slug])]:
        pages[url] = client.get(url)

    response = client.post(
        reverse("sources:review", args=[source.slug]),
        review_form_data(source, "approve", reason=f"Welcome {payload}"),
    )
    assert response.status_code == 302
    source.refresh_from_db()
    assert source.status == Source.Status.APPROVED
    client.logout()
    return {"payload": payload, "source": source, "fields": fields, "open_pages": pages}


@pytest.mark.parametrize("approved_payload_source", PAYLOADS, ids=PAYLOAD_IDS, indirect=True)
def test_source_fields_never_become_markup(client, approved_payload_source, theme, member):
    payload = approved_payload_source["payload"]
    source = approved_payload_source["source"]
    fields = approved_payload_source["fields"]

    # While it was open: its page, the open proposals, my proposals, the queue and the review.
    for url, response in approved_payload_source["open_pages"].items():
        content = assert_safe(response, url)
        assert_shown_escaped(content, fields["title"], url)

    # Once approved, for readers and for the proposer.
    pages = {
        "source": source.get_absolute_url(),
        "theme": theme.get_absolute_url(),
        "browse": reverse("sources:list"),
        "home": reverse("home"),
        "log": reverse("sources:moderation_log"),
        "profile": member.get_absolute_url(),
        "search": reverse("sources:list") + "?q=Evidence",
        "feed": reverse("feed_sources"),
    }
    for tag in source.tags.all():
        pages[f"tag {tag.name}"] = reverse("sources:tag", args=[tag.slug])
    for reader in [None, member]:
        if reader:
            client.force_login(reader)
        for where, url in pages.items():
            response = client.get(url)
            assert response.status_code == 200, (where, response.status_code)
            if where == "feed":
                assert "<script" not in response.content.decode(), where
                continue
            content = assert_safe(response, where)
            if where != "log":
                assert_shown_escaped(content, fields["title"], where)
    client.force_login(member)
    content = assert_safe(client.get(reverse("sources:my_proposals")), "my proposals")
    assert_shown_escaped(content, f"Welcome {payload}", "my proposals (the reason)")

    detail = client.get(source.get_absolute_url()).content.decode()
    # The contributors are posted one a line and shown as the record names them.
    shown = {**fields, "contributors": f"Body {payload}"}
    for name, value in shown.items():
        assert_shown_escaped(detail, value, f"source page: {name}")
    for tag in TAG_PAYLOADS:
        assert_shown_escaped(detail, tag, "source page: tags")
    log = client.get(reverse("sources:moderation_log")).content.decode()
    assert_shown_escaped(log, f"Welcome {payload}", "moderation log")


@pytest.mark.parametrize("payload", PAYLOADS, ids=PAYLOAD_IDS)
def test_profile_fields_never_become_markup(client, theme, payload):
    author = MemberFactory(username="author")
    client.force_login(author)
    fields = {
        "display_name": f"Name {payload}",
        "organisation": f"Org {payload}",
        "bio": f"Bio {payload}",
    }
    response = client.post(reverse("edit_profile"), fields)
    assert response.status_code == 302
    source = SourceFactory(title="Source by the author", proposer=author, themes=[theme])
    proposal = ProposalFactory(title="Proposal by the author", proposer=author, themes=[theme])
    discussion.post(author=author, target=source, body="A comment on the source.")
    discussion.post(author=author, target=theme, body="A comment on the theme.")
    moderator_of_the_day = ModeratorFactory(username="mod")

    profile = assert_safe(client.get(author.get_absolute_url()), "profile")
    for name, value in fields.items():
        assert_shown_escaped(profile, value, f"profile: {name}")

    # Beside the member's proposals and comments, in the header when signed in, and for others.
    pages = [
        source.get_absolute_url(),
        theme.get_absolute_url(),
        proposal.get_absolute_url(),
        reverse("sources:proposals"),
        reverse("home"),
    ]
    for url in pages:
        content = assert_safe(client.get(url), url)
        if url != reverse("home"):
            assert_shown_escaped(content, fields["display_name"], f"the author's name on {url}")
    header = client.get(reverse("home")).content.decode()
    assert_shown_escaped(header, fields["display_name"], "the signed-in header")
    client.force_login(moderator_of_the_day)
    for url in [
        *pages,
        reverse("sources:moderation"),
        reverse("sources:review", args=[proposal.slug]),
    ]:
        assert_safe(client.get(url), url)
    client.logout()
    for url in [author.get_absolute_url(), source.get_absolute_url(), theme.get_absolute_url()]:
        assert_safe(client.get(url), url)


COMMENT_PAYLOADS = [
    *PAYLOADS,
    "[click me](javascript:alert(1))",
    "[click me](JaVaScRiPt:alert(1))",
    "![pic](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<a href="javascript:alert(1)">link</a>',
    '<https://example.org/" onclick="alert(1)>',
    '[x](https://example.org/" onmouseover="alert(1))',
    "```\n</code></pre><script>alert(1)</script>\n```",
    "<iframe src=https://evil.example></iframe>",
]


@pytest.mark.parametrize("payload", COMMENT_PAYLOADS)
def test_comment_bodies_never_become_markup(client, theme, source, member, moderator, payload):
    client.force_login(member)
    for target, url in [
        (theme, reverse("comments:post_on_theme", args=[theme.slug])),
        (source, reverse("comments:post_on_source", args=[source.slug])),
    ]:
        response = client.post(url, {"body": f"Look: {payload}"})
        assert response.status_code == 302, response.status_code
        shown = client.get(target.get_absolute_url())
        content = assert_safe(shown, target.get_absolute_url())
        assert "Look:" in content, "the comment is not on the page"

    comment = Comment.objects.filter(author=member).first()
    response = client.post(reverse("comments:edit", args=[comment.pk]), {"body": f"Now {payload}"})
    assert response.status_code == 302
    assert_safe(client.get(comment.target.get_absolute_url()), "after an edit")
    assert_safe(client.get(reverse("comments:edit", args=[comment.pk])), "the edit form")
    assert_safe(client.get(reverse("comments:delete", args=[comment.pk])), "the delete page")

    client.force_login(moderator)
    flags.flag(comment=comment, member=moderator, reason=Flag.Reason.SPAM)
    assert_safe(client.get(reverse("comments:flag", args=[comment.pk])), "the flag form")
    assert_safe(client.get(reverse("comments:flagged")), "the flagged comments")
    reason = " ".join(payload.split())
    response = client.post(reverse("comments:hide", args=[comment.pk]), {"reason": reason})
    assert response.status_code == 302
    log = assert_safe(client.get(reverse("sources:moderation_log")), "the log")
    assert_shown_escaped(log, reason, "the log shows the hide reason")


@pytest.mark.parametrize("payload", PAYLOADS, ids=PAYLOAD_IDS)
def test_a_refused_comment_form_shows_the_text_back_escaped(client, theme, member, payload):
    client.force_login(member)
    response = client.post(
        reverse("comments:post_on_theme", args=[theme.slug]),
        {"body": payload + "x" * 6000},
    )
    assert response.status_code == 400
    assert_safe(response, "the refused comment")


@pytest.mark.parametrize("payload", PAYLOADS, ids=PAYLOAD_IDS)
def test_a_refused_proposal_shows_every_field_back_escaped(client, theme, member, payload):
    client.force_login(member)
    data = proposal_form_data(
        theme,
        title=payload,
        contributors=payload,
        publisher=payload,
        container_title=payload,
        isbn=payload,
        summary=payload,
        rationale=payload,
        conflict_of_interest=payload,
        tags=payload.replace(",", " "),
        doi=payload,
        url=payload,
        year=payload,
        kind=payload,
        stance=payload,
        themes=[payload],
    )
    response = client.post(reverse("sources:propose"), data)

    assert response.status_code == 400
    content = assert_safe(response, "the refused proposal")
    assert_shown_escaped(content, payload, "the form shows the text back")


@pytest.mark.parametrize("payload", PAYLOADS, ids=PAYLOAD_IDS)
def test_the_search_box_echoes_the_query_escaped(client, source, payload):
    response = client.get(reverse("sources:list"), {"q": payload})

    content = assert_safe(response, "search")
    assert response.status_code == 200
    assert_shown_escaped(content, payload, "the search box")


LISTING_PARAMETERS = ["q", "kind", "tag", "sort", "theme", "year", "page", "comments", "order"]


@pytest.fixture
def listing_urls(theme, source, proposal):
    return [
        reverse("home"),
        reverse("sources:list"),
        theme.get_absolute_url(),
        source.get_absolute_url(),
        reverse("sources:tag", args=["skills"]),
        reverse("sources:proposals"),
        reverse("sources:my_proposals"),
        reverse("sources:moderation"),
        reverse("sources:moderation_log"),
        reverse("comments:flagged"),
        reverse("account_login"),
        reverse("account_signup"),
    ]


@pytest.mark.parametrize("payload", PAYLOADS, ids=PAYLOAD_IDS)
def test_query_strings_on_every_listing_never_become_markup(
    client, listing_urls, moderator, payload
):
    for signed_in in [False, True]:
        if signed_in:
            client.force_login(moderator)
        for url in listing_urls:
            for name in LISTING_PARAMETERS:
                response = client.get(url, {name: payload})
                assert response.status_code < 500, (url, name, response.status_code)
                if response.status_code == 200:
                    assert_safe(response, f"{url}?{name}=")
            everything = dict.fromkeys(LISTING_PARAMETERS, payload)
            response = client.get(url, everything)
            if response.status_code == 200:
                assert_safe(response, f"{url} with every parameter")


def test_next_parameter_on_the_login_page_never_becomes_markup(client, themes):
    for payload in [*PAYLOADS, "javascript:alert(1)//"]:
        response = client.get(reverse("account_login"), {"next": payload})
        assert_safe(response, f"login?next={payload}")
        response = client.get(reverse("account_signup"), {"next": payload})
        assert_safe(response, f"signup?next={payload}")


# Unsafe URLs in the source's URL field

UNSAFE_URLS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "  javascript:alert(1)",
    "\tjavascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "javascript://example.org/%0Aalert(1)",
    "JAVASCRIPT://example.org/",
    "data:text/html,<script>alert(1)</script>",
    " DATA:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "ftp://example.org/report.pdf",
    "\x00javascript:alert(1)",
]


@pytest.mark.parametrize("url", UNSAFE_URLS)
def test_unsafe_urls_are_refused_in_the_url_field(client, theme, member, url):
    client.force_login(member)

    response = client.post(reverse("sources:propose"), proposal_form_data(theme, url=url))

    assert response.status_code == 400
    assert "url" in response.context["form"].errors
    assert not Source.objects.exists()


@pytest.mark.parametrize("url", UNSAFE_URLS)
def test_unsafe_urls_are_refused_when_a_moderator_corrects_a_source(
    client, moderator, proposal, url
):
    client.force_login(moderator)

    response = client.post(
        reverse("sources:review", args=[proposal.slug]),
        review_form_data(proposal, "approve", url=url),
    )

    assert response.status_code == 400
    proposal.refresh_from_db()
    assert proposal.status == Source.Status.PROPOSED
    assert proposal.url.startswith("https://")


def test_a_source_url_is_only_ever_linked_as_http(client, theme):
    source = SourceFactory(url="https://example.org/a?b=1&c=<x>", themes=[theme])

    content = assert_safe(client.get(source.get_absolute_url()))

    hrefs = [href for href in _hrefs(content) if "example.org/a" in href]
    assert hrefs, "the source's URL is linked"
    assert all(href.startswith("https://") for href in hrefs)


def _hrefs(content):
    found = []

    class Links(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag == "a":
                found.append(dict(attrs).get("href") or "")

    Links().feed(content)
    return found


# Open redirects

EVIL_NEXT = [
    "https://evil.example/",
    "//evil.example",
    "//evil.example/path",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "https:evil.example",
    "http://testserver@evil.example/",
    " https://evil.example/",
    "javascript:alert(1)",
    "%2F%2Fevil.example",
]


def assert_local(location):
    """Where a browser would go from the log-in page: this site, over the same scheme."""
    assert not location.lstrip().startswith(("//", "\\", "/\\")), location
    # Browsers read a backslash as a slash in web addresses.
    joined = urlsplit(urljoin("http://testserver/accounts/login/", location.replace("\\", "/")))
    assert (joined.scheme, joined.netloc) == ("http", "testserver"), location


@pytest.mark.parametrize("next_url", EVIL_NEXT)
def test_login_never_redirects_off_the_site(client, member, next_url):
    response = client.post(
        reverse("account_login") + "?next=" + quote(next_url, safe=""),
        {"login": "member", "password": PASSWORD},
    )
    assert response.status_code == 302
    assert_local(response["Location"])
    assert client.session.get("_auth_user_id") == str(member.pk)

    client.logout()
    response = client.post(
        reverse("account_login"), {"login": "member", "password": PASSWORD, "next": next_url}
    )
    assert response.status_code == 302
    assert_local(response["Location"])


@pytest.mark.parametrize("next_url", EVIL_NEXT)
def test_logout_never_redirects_off_the_site(client, member, next_url):
    client.force_login(member)
    response = client.post(reverse("account_logout"), {"next": next_url})
    assert response.status_code == 302
    assert_local(response["Location"])
    assert "_auth_user_id" not in client.session

    client.force_login(member)
    response = client.post(reverse("account_logout") + "?next=" + quote(next_url, safe=""))
    assert response.status_code == 302
    assert_local(response["Location"])


@pytest.mark.parametrize("next_url", EVIL_NEXT)
def test_signup_never_redirects_off_the_site(client, themes, next_url):
    response = client.post(
        reverse("account_signup"),
        {
            "username": "newcomer",
            "email": "newcomer@example.org",
            "password1": "another-long-password-42",
            "password2": "another-long-password-42",
            "next": next_url,
        },
    )
    assert response.status_code == 302
    assert_local(response["Location"])


def test_a_local_next_is_still_honoured(client, member):
    """The refusals above are not a login that ignores next altogether."""
    response = client.post(
        reverse("account_login") + "?next=/sources/", {"login": "member", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/sources/"


# Security headers


@pytest.fixture
def header_pages(theme, source, member, moderator):
    return [
        ("anonymous", reverse("home")),
        ("anonymous", theme.get_absolute_url()),
        ("anonymous", source.get_absolute_url()),
        ("anonymous", reverse("sources:list") + "?q=report"),
        ("anonymous", reverse("account_login")),
        ("anonymous", "/no-such-page/"),
        ("anonymous", reverse("feed_sources")),
        ("member", reverse("sources:propose")),
        ("member", reverse("edit_profile")),
        ("moderator", reverse("sources:moderation")),
    ]


def test_every_kind_of_page_sends_the_security_headers(client, header_pages, request):
    for persona, url in header_pages:
        client.logout()
        if persona != "anonymous":
            client.force_login(request.getfixturevalue(persona))
        response = client.get(url)
        directives = {
            part.split()[0]: part.split()[1:]
            for part in response["Content-Security-Policy"].split(";")
            if part.strip()
        }
        assert directives["default-src"] == ["'self'"], url
        assert directives["script-src"] == ["'self'"], url
        assert directives["frame-ancestors"] == ["'none'"], url
        assert directives["object-src"] == ["'none'"], url
        assert directives["base-uri"] == ["'self'"], url
        assert directives["form-action"] == ["'self'"], url
        assert "'unsafe-inline'" not in response["Content-Security-Policy"], url
        assert "'unsafe-eval'" not in response["Content-Security-Policy"], url
        assert response["X-Content-Type-Options"] == "nosniff", url
        assert response["Referrer-Policy"] == "same-origin", url
        assert response["X-Frame-Options"] == "DENY", url


def test_error_responses_send_the_security_headers_too(client, member, proposal):
    client.force_login(member)
    client.raise_request_exception = False
    for response in [
        client.post(reverse("sources:propose"), {}),  # 400
        client.get(reverse("sources:moderation")),  # 403
        client.get("/sources/no-such-source/"),  # 404
        client.get(reverse("sources:endorse", args=[proposal.slug])),  # 405
    ]:
        assert response.status_code >= 400
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"


@pytest.fixture
def production(settings):
    settings.DEBUG = False
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    return settings


def test_production_sends_strict_transport_security_over_https(production, client, themes):
    response = client.get(reverse("home"), secure=True)

    assert response.status_code == 200
    hsts = [part.strip() for part in response["Strict-Transport-Security"].split(";")]
    assert "max-age=31536000" in hsts
    assert "includeSubDomains" in hsts


def test_production_redirects_http_to_https(production, client, themes):
    for url in [reverse("home"), reverse("sources:list") + "?q=x", reverse("account_login")]:
        response = client.get(url)

        assert response.status_code == 301
        assert response["Location"] == f"https://testserver{url}"


def test_production_trusts_the_proxy_header_for_https(production, client, themes):
    response = client.get(reverse("home"), headers={"x-forwarded-proto": "https"})

    assert response.status_code == 200
    assert "Strict-Transport-Security" in response


def test_production_lets_the_load_balancer_check_health_over_http(production, client, db):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200


def test_production_cookies_are_secure_and_the_session_is_http_only(production, client, member):
    client.get(reverse("account_login"), secure=True)
    response = client.post(
        reverse("account_login"), {"login": "member", "password": PASSWORD}, secure=True
    )

    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"]
    assert session["httponly"]
    assert session["samesite"].lower() == "lax"
    assert client.cookies["csrftoken"]["secure"]
