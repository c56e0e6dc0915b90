"""Source cards and filter bars in listing pages."""

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from qlibrary.cache import fragment
from sources.library import page_keys
from sources.library.cards import cards

register = template.Library()


@register.simple_tag(takes_context=True)
def source_cards(context, sources, kind="library"):
    """The cards of `sources` (see sources/library/cards.py), each a fragment in the cache, keyed
    with the start of the page's key when the page has one."""
    page_key = getattr(context.get("request"), "page_key", None)
    return cards(sources, kind, common=page_key[:1] if page_key else None)


@register.simple_tag(takes_context=True)
def filter_bar(context, filters, clear_url):
    """The filter bar of a listing (templates/includes/filters.html): a fragment under the
    library's records (which its options follow: `page_keys.records`), the listing's address and
    the values asked for but the search words. Rendering its menus costs more than the rest of a
    listing page."""

    def render():
        return str(
            render_to_string("includes/filters.html", {"filters": filters, "clear_url": clear_url})
        )

    page_key = getattr(context.get("request"), "page_key", None)
    if page_key is None:
        return mark_safe(render())  # noqa: S308 (our template, values escaped)
    # The search words are not in the bar (the page renders the search box), only whether they
    # were ignored: every search of a listing shares its bar.
    asked = [(name, filters.data.get(name, "")) for name in filters.fields if name != "q"]
    parts = (clear_url, *asked, "q" in filters.errors, *page_keys.records(page_key))
    html = fragment("filter-bar", parts, render)
    return mark_safe(html)  # noqa: S308 (our template, values escaped)
