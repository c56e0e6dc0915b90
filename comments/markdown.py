"""The one place Markdown becomes HTML: comments are rendered once, when written, and stored.

markdown-it-py parses CommonMark in time linear in the input, with nesting capped (so neither a
flood of brackets nor deeply nested lists can stall or crash it). Raw HTML in the input is not
passed through (it shows as text), and nh3 then keeps only an allow-list of tags, with links
limited to http, https and mailto and marked as user content.
"""

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
    """Safe HTML for a comment body written in Markdown."""
    html = _MARKDOWN.render(text).strip()
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel=LINK_REL,
    )
