"""Source cards and filter bars in listing pages."""

from django import template
from django.template.loader import render_to_string

from sources.library.cards import cards

register = template.Library()


@register.simple_tag(takes_context=True)
def source_cards(context, sources, kind="library"):
    """The cards of `sources` (see sources/library/cards.py), each a fragment in the cache, keyed
    with the start of the page's key when the page has one."""
    page_key = getattr(context.get("request"), "page_key", None)
    return cards(sources, kind, common=page_key[:1] if page_key else None)


@register.simple_tag
def filter_bar(filters, clear_url):
    """The filter bar of a listing (templates/includes/filters.html)."""
    return render_to_string("includes/filters.html", {"filters": filters, "clear_url": clear_url})
