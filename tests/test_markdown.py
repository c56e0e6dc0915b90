"""Comment Markdown becomes a small, safe subset of HTML: raw HTML shows as text, links keep to
http, https and mailto and are marked as user content.

The XSS corpus and the checker here are shared with test_comment_xss, which sends the same
corpus through the comment form and reads it back from the theme page.
"""

import re
from html.parser import HTMLParser

import pytest

from comments.models import MAX_BODY_LENGTH
from qlibrary.markdown import LINK_REL, render

# Each entry is what a member might type; the checker decides, from the parsed HTML, that
# nothing of it can run.
XSS_CORPUS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<p onclick='alert(1)'>hello</p>",
    "<div onmouseover=alert(1)>hover</div>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](  javascript:alert(1))",
    "[x](java&#x09;script:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](vbscript:msgbox(1))",
    "<javascript:alert(1)>",
    "<JaVaScRiPt:alert(1)>",
    "<data:text/html,<script>alert(1)</script>>",
    "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;avascript&#58;alert(1))",
    "&#106;avascript:alert(1)",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "**<b onclick=x>y</b>**",
    "*<i onmouseover=alert(1)>z</i>*",
    '[a](https://ok.example "title\\" onmouseover=x")',
    "[a](https://ok.example \"title' onmouseover='x\")",
    '<a href="javascript:alert(1)">raw link</a>',
    "<a href='https://ok.example' onclick='alert(1)'>raw link</a>",
    '<iframe src="https://evil.example"></iframe>',
    "<style>body { display: none }</style>",
    '<p style="background:url(javascript:alert(1))">styled</p>',
    "![x](javascript:alert(1))",
    "![x](https://evil.example/pixel.png)",
    '![x](https://evil.example/pixel.png" onerror="alert(1))',
    "[![x](javascript:alert(1))](javascript:alert(1))",
    "[x][ref]\n\n[ref]: javascript:alert(1)",
    "<object data=javascript:alert(1)></object><embed src=javascript:alert(1)>",
    "<form action=javascript:alert(1)><button>go</button></form>",
    "<math><mi xlink:href=javascript:alert(1)>x</mi></math>",
    "<!-- <script>alert(1)</script> -->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "```\n<script>alert(1)</script>\n```",
    "`<img src=x onerror=alert(1)>`",
    "> <script>alert(1)</script>\n> [x](javascript:alert(1))",
    "- <img src=x onerror=alert(1)>\n- [x](vbscript:msgbox(1))",
]

ALLOWED_TAGS = {"p", "br", "em", "strong", "ul", "ol", "li", "blockquote", "code", "pre", "a"}
ALLOWED_SCHEMES = {"http", "https", "mailto"}
EVENT_HANDLER = re.compile(r"on\w+", re.IGNORECASE)
DANGEROUS_URL = re.compile(r"^\s*(javascript|data|vbscript):", re.IGNORECASE)
# Tags that must never reach the page from a comment, not even with harmless attributes.
FORBIDDEN_TAGS = {
    "script",
    "img",
    "svg",
    "iframe",
    "style",
    "object",
    "embed",
    "form",
    "math",
    "div",
    "b",
    "i",
}


class TagCollector(HTMLParser):
    """Every real start tag (with its attributes, entities decoded) and the text in between."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []
        self.text = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parse(html):
    collector = TagCollector()
    collector.feed(html)
    collector.close()
    return collector


def unsafe_parts(html, *, allowed_tags=ALLOWED_TAGS):
    """What in `html` could run or load something: empty when the HTML is safe."""
    problems = []
    for tag, attrs in parse(html).tags:
        if tag in FORBIDDEN_TAGS or tag not in allowed_tags:
            problems.append(f"<{tag}> tag")
        for name, value in attrs.items():
            if EVENT_HANDLER.fullmatch(name) or name == "style":
                problems.append(f"{name}= attribute on <{tag}>")
            if name in {"href", "src", "action", "formaction", "xlink:href", "data"} and (
                DANGEROUS_URL.match(value or "")
                or (tag == "a" and name == "href" and not allowed_href(value or ""))
            ):
                problems.append(f"{name}={value!r} on <{tag}>")
        if tag == "a" and "href" in attrs and attrs.get("rel") != LINK_REL:
            problems.append(f"link without rel={LINK_REL!r}: {attrs}")
    return problems


def allowed_href(href):
    scheme = re.match(r"^([a-zA-Z][a-zA-Z0-9+.-]*):", href)
    return scheme is None or scheme.group(1).lower() in ALLOWED_SCHEMES


@pytest.mark.parametrize("text", XSS_CORPUS)
def test_render_leaves_nothing_that_can_run(text):
    html = render(text)

    assert unsafe_parts(html) == []
    assert "<script" not in html.lower()
    assert not re.search(r"<[^>]*\son\w+\s*=", html, re.IGNORECASE)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("<script>alert(1)</script>", "<script>alert(1)</script>"),
        ("<img src=x onerror=alert(1)>", "<img src=x onerror=alert(1)>"),
        ('<iframe src="https://evil.example"></iframe>', '<iframe src="https://evil.example">'),
        ("**<b onclick=x>y</b>**", "<b onclick=x>y</b>"),
        ("&lt;script&gt;", "<script>"),
    ],
)
def test_raw_html_is_shown_as_text(text, shown):
    html = render(text)

    assert shown in "".join(parse(html).text)


def test_javascript_link_is_not_a_link_and_keeps_its_text():
    html = render("[click me](JaVaScRiPt:alert(1))")

    assert [tag for tag, _ in parse(html).tags if tag == "a"] == []
    assert "click me" in "".join(parse(html).text)


def test_a_quote_trick_in_a_link_title_stays_inside_the_title():
    html = render('[a](https://ok.example "title\\" onmouseover=x")')

    links = [attrs for tag, attrs in parse(html).tags if tag == "a"]
    assert links == [{"href": "https://ok.example", "rel": LINK_REL}]


def test_markdown_images_do_not_become_images():
    html = render("before ![pixel](https://evil.example/pixel.png) after")

    assert "<img" not in html
    assert "before" in html
    assert "after" in html


def test_safe_markdown_renders_to_the_allowed_tags():
    html = render(
        "*emphasis* and **strong** and `code`\n\n"
        "> a quote\n\n"
        "- one\n- two\n\n"
        "1. first\n2. second\n\n"
        "```\nfenced block\n```\n\n"
        "[a link](https://example.org/page) <https://example.org/auto> "
        "[write](mailto:team@example.org)"
    )

    tags = {tag for tag, _ in parse(html).tags}
    assert tags == {"p", "em", "strong", "code", "blockquote", "ul", "ol", "li", "pre", "a"}
    links = [attrs for tag, attrs in parse(html).tags if tag == "a"]
    assert [link["href"] for link in links] == [
        "https://example.org/page",
        "https://example.org/auto",
        "mailto:team@example.org",
    ]
    assert all(link["rel"] == LINK_REL for link in links)
    assert unsafe_parts(html) == []


def test_the_checker_catches_what_it_is_meant_to_catch():
    """Guard the guard: unsafe HTML written by hand must be reported."""
    assert unsafe_parts('<a href="javascript:alert(1)" rel="nofollow ugc noopener">x</a>')
    assert unsafe_parts('<a href="https://ok.example">no rel</a>')
    assert unsafe_parts('<p onclick="x">y</p>')
    assert unsafe_parts("<img src=x>")
    assert unsafe_parts("<script></script>")
    assert unsafe_parts('<a href=" data:text/html,x" rel="nofollow ugc noopener">x</a>')
    assert unsafe_parts('<p style="color: red">x</p>')


# Hostile Markdown at the longest body a comment may have. That each renders quickly is measured
# by bench/markdown_worst_case.py (docs/performance.md), not by a timed test; here each must
# render without an error into safe HTML that keeps the text.
HOSTILE_MARKDOWN = {
    "open brackets": "[" * MAX_BODY_LENGTH,
    "brackets, closed": "[" * (MAX_BODY_LENGTH // 2) + "]" * (MAX_BODY_LENGTH // 2),
    "link openers": "[a](" * (MAX_BODY_LENGTH // 4),
    "image openers": "![" * (MAX_BODY_LENGTH // 2),
    "link and image openers": "![a](" * (MAX_BODY_LENGTH // 5),
    "nested ordered lists": "1. " * (MAX_BODY_LENGTH // 3),
    "nested bullet lists": "- " * (MAX_BODY_LENGTH // 2),
    "deep quotes": ">" * MAX_BODY_LENGTH,
    "quotes and lists": "> 1. " * (MAX_BODY_LENGTH // 5),
    "backticks": "`" * MAX_BODY_LENGTH,
    "backtick runs": "`a``" * (MAX_BODY_LENGTH // 4),
    "emphasis": "*a" * (MAX_BODY_LENGTH // 2),
    "strong and emphasis": "**_" * (MAX_BODY_LENGTH // 3),
    "underscores": "_" * MAX_BODY_LENGTH,
    "angle brackets": "<" * MAX_BODY_LENGTH,
    "autolinks": "<https://a.example/" * (MAX_BODY_LENGTH // 19),
    "entities": "&#" * (MAX_BODY_LENGTH // 2),
    "reference definitions": "[a]: https://a.example\n" * (MAX_BODY_LENGTH // 23),
    "reference uses": "[a][b]" * (MAX_BODY_LENGTH // 6),
    "line breaks": "a  \n" * (MAX_BODY_LENGTH // 4),
    "fences": "```\n" * (MAX_BODY_LENGTH // 4),
    "headings": "#" * MAX_BODY_LENGTH,
    "tabs and spaces": "\t " * (MAX_BODY_LENGTH // 2),
}


@pytest.mark.parametrize("text", HOSTILE_MARKDOWN.values(), ids=HOSTILE_MARKDOWN.keys())
def test_hostile_markdown_at_the_body_limit_renders_safely(text):
    assert len(text) <= MAX_BODY_LENGTH

    html = render(text)

    assert unsafe_parts(html) == []
    assert len(html) < 20 * MAX_BODY_LENGTH  # output grows with the input, not beyond
