"""The web pages members link to, read for the citation details publishers put in their
`<meta>` tags: Highwire Press `citation_*` tags (as Google Scholar and reference managers
read them), Dublin Core, PRISM and Open Graph, and the page's `<title>`.

References: https://scholar.google.com/intl/en/scholar/inclusion.html#indexing (Highwire
Press tags), https://www.dublincore.org/specifications/dublin-core/dc-html/ (Dublin Core in
HTML), https://ogp.me/ (Open Graph).
"""

from dataclasses import dataclass
from html.parser import HTMLParser

from qlibrary import outbound
from sources.clients import ErrorStatus, ServiceError

SERVICE = "The web page"
HTML_TYPES = {"text/html", "application/xhtml+xml"}


class NotAWebPage(ServiceError):
    """The address answered with something other than an HTML page (a PDF, an image...)."""

    def __init__(self, content_type):
        super().__init__(f"The address serves {content_type or 'a file'}, not a web page")
        self.content_type = content_type


@dataclass(frozen=True)
class Page:
    """A web page's address (after redirects), its `<title>`, and the contents of its `<meta>`
    tags by lower-case name (or property), in the page's order."""

    url: str
    title: str
    meta: dict

    def first(self, *names):
        """The first tag's content under the first of `names` the page has, or ""."""
        for name in names:
            if self.meta.get(name):
                return self.meta[name][0]
        return ""

    def every(self, *names):
        """Every tag's content under the first of `names` the page has."""
        for name in names:
            if self.meta.get(name):
                return self.meta[name]
        return []


def page(url):
    """The web page at `url` with its `<meta>` tags read, or None when it is not found (404)."""
    result = outbound.fetch(url, headers={"Accept": "text/html,application/xhtml+xml"})
    if result.status == 404:
        return None
    if not result.ok:
        raise ErrorStatus(SERVICE, result.status)
    if result.content_type not in HTML_TYPES:
        raise NotAWebPage(result.content_type)
    parser = MetaTagParser()
    parser.feed(result.text)
    parser.close()
    return Page(url=result.url, title=parser.title, meta=parser.meta)


class MetaTagParser(HTMLParser):
    """Collects the `<meta>` tags and the `<title>` of a web page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.meta = {}
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta":
            name = attrs.get("name") or attrs.get("property") or ""
            content = attrs.get("content")
            if name and content and content.strip():
                self.meta.setdefault(name.strip().lower(), []).append(content.strip())
        elif tag == "title" and not self.title:
            self._in_title = True

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data
