"""The XSS corpus of test_markdown, posted through the comment form and read back from the pages
that show comments. The pages are parsed, so what counts is the tags and attributes a browser
would build, not substrings: raw HTML a member typed must come back as text."""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from comments import flags
from comments.models import Comment, Flag

from .factories import CommentFactory
from .test_markdown import DANGEROUS_URL, EVENT_HANDLER, XSS_CORPUS, unsafe_parts

pytestmark = pytest.mark.django_db

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
# Never on a page because of a comment; the site's own markup uses none of them in its content.
NEVER = {"script", "img", "svg", "iframe", "style", "object", "embed", "math", "frame", "base"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "srcdoc"}


class RegionReader(HTMLParser):
    """The raw HTML of the element with id=`region_id` and of each `.comment__body` inside it,
    with every start tag found in the region."""

    def __init__(self, region_id):
        super().__init__(convert_charrefs=True)
        self.region_id = region_id
        self.stack = []
        self.region_depth = None
        self.region_closed = False
        self.tags = []
        self.bodies = []
        self._body_depth = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if self.region_depth is None and attributes.get("id") == self.region_id:
            self.region_depth = len(self.stack)
        if self._in_region():
            self.tags.append((tag, attributes))
            if self._body_depth is not None:
                self.bodies[-1] += self.get_starttag_text()
            elif "comment__body" in (attributes.get("class") or "").split():
                self._body_depth = len(self.stack)
                self.bodies.append("")
        if tag not in VOID:
            self.stack.append(tag)

    def _in_region(self):
        return self.region_depth is not None and not self.region_closed

    def handle_startendtag(self, tag, attrs):
        if self._in_region():
            self.tags.append((tag, dict(attrs)))
            if self._body_depth is not None:
                self.bodies[-1] += self.get_starttag_text()

    def handle_endtag(self, tag):
        if tag not in self.stack:
            return
        while self.stack:
            if self.stack.pop() == tag:
                break
        if self._body_depth is not None:
            if len(self.stack) <= self._body_depth:
                self._body_depth = None
            else:
                self.bodies[-1] += f"</{tag}>"
        if self._in_region() and len(self.stack) <= self.region_depth:
            self.region_closed = True

    def handle_data(self, data):
        if self._body_depth is not None:
            # Re-escape, so the body can be parsed again as the HTML it was.
            self.bodies[-1] += data.replace("&", "&amp;").replace("<", "&lt;")


def read_region(html, region_id):
    reader = RegionReader(region_id)
    reader.feed(html)
    reader.close()
    assert reader.tags, f"no element with id={region_id!r} on the page"
    return reader


def body_text(body_html):
    """The text a reader sees in a comment body."""
    parser = HTMLParser(convert_charrefs=True)
    text = []
    parser.handle_data = text.append
    parser.feed(body_html)
    parser.close()
    return "".join(text)


def unsafe_in_page_region(tags):
    """What, anywhere in the region (forms and buttons included), could run or load something."""
    problems = []
    for tag, attrs in tags:
        if tag in NEVER:
            problems.append(f"<{tag}>")
        for name, value in attrs.items():
            if EVENT_HANDLER.fullmatch(name) or name == "style":
                problems.append(f"{name}= on <{tag}>")
            if name in URL_ATTRIBUTES and DANGEROUS_URL.match(value or ""):
                problems.append(f"{name}={value!r} on <{tag}>")
    return problems


def assert_region_safe(html, region_id, expected_bodies):
    region = read_region(html, region_id)
    assert unsafe_in_page_region(region.tags) == []
    assert len(region.bodies) == expected_bodies
    for body in region.bodies:
        assert unsafe_parts(body) == []
    return region


@pytest.fixture
def signed_in(client, member):
    client.force_login(member)
    return client


@pytest.mark.parametrize("text", XSS_CORPUS)
def test_comment_posted_through_the_form_is_safe_on_the_theme_page(signed_in, theme, text):
    response = signed_in.post(reverse("comments:post_on_theme", args=[theme.slug]), {"body": text})
    assert response.status_code == 302
    assert Comment.objects.get().body == text.strip()

    page = signed_in.get(theme.get_absolute_url()).content.decode()

    assert_region_safe(page, "discussion", expected_bodies=1)
    assert not re.search(r"<script(?![^>]*\bsrc=\"/static/)", page, re.IGNORECASE)


@pytest.mark.parametrize("text", XSS_CORPUS)
def test_reply_posted_through_the_form_is_safe_for_readers(client, member, theme, text):
    top = CommentFactory(theme=theme, body="A plain first comment")
    client.force_login(member)
    client.post(
        reverse("comments:post_on_theme", args=[theme.slug]), {"body": text, "parent": top.pk}
    )
    assert Comment.objects.filter(parent=top).count() == 1
    client.logout()

    page = client.get(theme.get_absolute_url()).content.decode()

    assert_region_safe(page, "discussion", expected_bodies=2)


@pytest.mark.parametrize(
    "raw",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<svg onload=alert(1)>",
        '<iframe src="https://evil.example"></iframe>',
        "<style>body { display: none }</style>",
        '<a href="javascript:alert(1)">raw link</a>',
        "<b onclick=x>y</b>",
    ],
)
def test_raw_html_comes_back_as_the_text_the_member_typed(signed_in, theme, raw):
    signed_in.post(reverse("comments:post_on_theme", args=[theme.slug]), {"body": raw})

    page = signed_in.get(theme.get_absolute_url()).content.decode()

    (body,) = read_region(page, "discussion").bodies
    assert body_text(body).strip() == raw


def test_safe_markdown_still_renders_on_the_page(signed_in, theme):
    signed_in.post(
        reverse("comments:post_on_theme", args=[theme.slug]),
        {"body": "*Yes* and **no**\n\n> quoted\n\n- a\n- b\n\n[the report](https://example.org/r)"},
    )

    page = signed_in.get(theme.get_absolute_url()).content.decode()

    (body,) = assert_region_safe(page, "discussion", expected_bodies=1).bodies
    assert "<em>Yes</em>" in body
    assert "<strong>no</strong>" in body
    assert "<blockquote>" in body
    assert "<li>a</li>" in body
    assert '<a href="https://example.org/r" rel="nofollow ugc noopener">the report</a>' in body


def test_every_page_that_quotes_a_comment_is_safe(client, member, moderator, source):
    """The whole corpus in one comment, on each page that shows a comment's text."""
    text = "\n\n".join(XSS_CORPUS)
    client.force_login(member)
    client.post(reverse("comments:post_on_source", args=[source.slug]), {"body": text})
    comment = Comment.objects.get()
    assert comment.body == text

    source_page = client.get(source.get_absolute_url()).content.decode()
    assert_region_safe(source_page, "discussion", expected_bodies=1)
    for name, bodies in [("edit", 0), ("delete", 1)]:
        page = client.get(reverse(f"comments:{name}", args=[comment.pk])).content.decode()
        assert_region_safe(page, "main", expected_bodies=bodies)

    client.force_login(moderator)
    flag_page = client.get(reverse("comments:flag", args=[comment.pk])).content.decode()
    assert_region_safe(flag_page, "main", expected_bodies=1)
    flags.flag(comment=comment, member=moderator, reason=Flag.Reason.SPAM)
    flagged_tab = client.get(reverse("comments:flagged")).content.decode()
    assert_region_safe(flagged_tab, "main", expected_bodies=1)

    flags.hide(comment=comment, moderator=moderator, reason="<script>alert(1)</script>")
    recently_hidden = client.get(reverse("comments:flagged")).content.decode()
    assert_region_safe(recently_hidden, "main", expected_bodies=1)
    client.logout()
    log = client.get("/moderation/log/").content.decode()
    assert_region_safe(log, "main", expected_bodies=0)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in log


def test_the_page_checker_catches_an_unsafe_body():
    """Guard the guard: a page with a dangerous comment body must be reported."""
    page = (
        '<main id="main"><section id="discussion"><article>'
        '<div class="comment__body"><p><img src=x onerror=alert(1)></p></div>'
        "</article></section></main><script>outside()</script>"
    )

    region = read_region(page, "discussion")

    assert unsafe_in_page_region(region.tags) == ["<img>", "onerror= on <img>"]
    assert region.bodies == ["<p><img src=x onerror=alert(1)></p>"]
    assert unsafe_parts(region.bodies[0])
