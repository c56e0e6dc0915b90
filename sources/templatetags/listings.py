"""The parts of a listing page kept rendered in the pages cache: source cards and filter bars."""

from django import template

from sources.cards import cards

register = template.Library()


@register.simple_tag
def source_cards(sources, kind="library"):
    """The cards of `sources` (see sources/cards.py), each as it is kept in the cache."""
    return cards(sources, kind)


@register.simple_tag
def filter_bar(filters, clear_url):
    """The filter bar of a listing (ListingFilters.bar), as it is kept in the cache."""
    return filters.bar(clear_url)
