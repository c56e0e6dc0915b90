"""The one place Markdown becomes HTML: comments are rendered once, when written, and stored.

Raw HTML in the input is not passed through (it shows as text), and nh3 then keeps only an
allow-list of tags, with links limited to http, https and mailto and marked as user content.
"""

import markdown
import nh3

ALLOWED_TAGS = {"p", "br", "em", "strong", "ul", "ol", "li", "blockquote", "code", "pre", "a"}
# "*" empty: without it nh3 also lets ammonia's default lang= and title= through on every tag.
ALLOWED_ATTRIBUTES = {"a": {"href"}, "*": set()}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow ugc noopener"


def _markdown_without_raw_html():
    md = markdown.Markdown(extensions=["fenced_code", "sane_lists"], output_format="html")
    # With these two gone, Markdown escapes raw HTML instead of copying it into the output.
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    return md


def render(text):
    """Safe HTML for a comment body written in Markdown."""
    html = _markdown_without_raw_html().convert(text)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel=LINK_REL,
    )
