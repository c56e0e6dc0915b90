"""The one place members' Markdown becomes HTML: comments and reading lists' introductions are
rendered once, when written, and stored; and where that HTML becomes readable plain text for
e-mails (`plain_text`). Infrastructure: it knows no app, and both apps use it.

markdown-it-py parses CommonMark in time linear in the input, with nesting capped (so neither a
flood of brackets nor deeply nested lists can stall or crash it). Raw HTML in the input is not
passed through (it shows as text), and nh3 then keeps only an allow-list of tags, with links
limited to http, https and mailto and marked as user content.
"""

import re
from html.parser import HTMLParser
from urllib.parse import urljoin

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {"p", "br", "em", "strong", "ul", "ol", "li", "blockquote", "code", "pre", "a"}
# "*" empty: without it nh3 also lets ammonia's default lang= and title= through on every tag.
ALLOWED_ATTRIBUTES = {"a": {"href"}, "*": set()}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow ugc noopener"


# "html": False escapes raw HTML instead of copying it; images are not allowed in comments, so
# their syntax is not parsed either (it stays as text and a link). maxNesting bounds the depth of
# nested blocks and inlines; deeper input is rendered as text.
_MARKDOWN = MarkdownIt("commonmark", {"html": False, "maxNesting": 20}).disable("image")


def render(text):
    """Safe HTML for a text a member wrote in Markdown (a comment, a list's introduction)."""
    html = _MARKDOWN.render(text).strip()
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel=LINK_REL,
    )


def plain_text(html, *, base_url):
    """A comment's stored HTML as plain text a mail client shows as it is: no Markdown signs,
    list items as "- " or "1. ", quotes and code indented, each link's address written out
    after its text (relative ones made absolute from `base_url`)."""
    parser = _PlainText(base_url)
    parser.feed(html)
    parser.close()
    text = "\n".join(line.rstrip() for line in parser.out.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


class _PlainText(HTMLParser):
    """Reads the few tags `render` lets through (ALLOWED_TAGS) and writes text."""

    BLOCKS = {"p", "blockquote", "pre", "ul", "ol"}

    def __init__(self, base_url):
        super().__init__(convert_charrefs=True)
        self.base_url = base_url.rstrip("/") + "/"
        self.out = ""
        self.indents = []
        self.lists = []
        self.links = []
        self.in_pre = False

    def handle_starttag(self, tag, attrs):
        if tag in self.BLOCKS:
            self._break(blank=True)
        if tag in ("blockquote", "pre"):
            self.indents.append("    ")
            self.in_pre = self.in_pre or tag == "pre"
        elif tag in ("ul", "ol"):
            self.lists.append([tag, 0])
        elif tag == "li":
            self._break()
            kind = self.lists[-1] if self.lists else ["ul", 0]
            kind[1] += 1
            marker = "- " if kind[0] == "ul" else f"{kind[1]}. "
            self._write(marker)
            self.indents.append(" " * len(marker))
        elif tag == "br":
            self._break()
        elif tag == "a":
            self.links.append((dict(attrs).get("href") or "", len(self.out)))

    def handle_endtag(self, tag):
        if tag in ("blockquote", "pre", "li") and self.indents:
            self.indents.pop()
        if tag == "pre":
            self.in_pre = False
        elif tag in ("ul", "ol") and self.lists:
            self.lists.pop()
        elif tag == "a" and self.links:
            href, start = self.links.pop()
            address = urljoin(self.base_url, href) if href else ""
            if address and self.out[start:].strip() != address:
                self._write(f" ({address})")
        if tag in self.BLOCKS:
            self._break(blank=True)

    def handle_data(self, data):
        if self.in_pre:
            lines = data.split("\n")
            for number, line in enumerate(lines):
                if number:
                    self._break()
                if line:
                    self._write(line)
            return
        text = re.sub(r"\s+", " ", data)
        if self._at_line_start():
            text = text.lstrip()
        if text:
            self._write(text)

    def _at_line_start(self):
        return not self.out or self.out.endswith("\n")

    def _write(self, text):
        if self._at_line_start():
            self.out += "".join(self.indents)
        self.out += text

    def _break(self, blank=False):
        if not self.out:
            return
        if not self.out.endswith("\n"):
            self.out += "\n"
        if blank and not self.out.endswith("\n\n"):
            self.out += "\n"
