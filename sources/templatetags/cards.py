from django import template

from sources.cards import cards

register = template.Library()


@register.simple_tag
def source_cards(sources):
    """The cards of `sources` (see sources/cards.py), each as it is kept in the cache."""
    return cards(sources)
