"""Source cards, rendered once per change of their source and kept in the pages cache.

Two kinds: the library's cards, and the cards of open proposals that members browse (which say
how long ago a source was proposed, so they are kept at most PAGE_TIMEOUT, like a cached page).

A listing reads only the ids and slugs of its page (`SourceQuerySet.for_cards`); the cards come
from the cache in one round trip, each filed under its source's own version (`source:<slug>` in
sources/page_cache.py, moved by every write that changes what a card shows: an edit, a decision,
its themes or tags, an endorsement, a comment) and `everything` (a theme or tag renamed). Only
the missing cards are rendered, from the rows and their themes and tags in three queries.
"""

from django.template.loader import get_template
from django.utils.safestring import mark_safe

from . import page_cache
from .models import Source

# kind: (template, its context besides `source`, timeout)
KINDS = {
    "library": ("includes/source_card.html", {}, page_cache.DERIVED_TIMEOUT),
    "proposal": (
        "includes/proposal_card.html",
        {"card_for": "open"},
        page_cache.PAGE_TIMEOUT,
    ),
}


def cards(sources, kind="library"):
    """The HTML of each source's card, in the order given. `sources` need only `pk` and `slug`."""
    sources = list(sources)
    by_name = {f"card:{kind}:{source.pk}": source for source in sources}
    html = page_cache.remember_each(
        {name: [page_cache.source_page(source.slug)] for name, source in by_name.items()},
        lambda names: _render(kind, {by_name[name].pk: name for name in names}),
        timeout=KINDS[kind][2],
    )
    # A source deleted since the page listed it has no card.
    return [mark_safe(html[name]) for name in by_name if name in html]  # noqa: S308 (our template)


def _render(kind, names):
    name, context, _ = KINDS[kind]
    template = get_template(name)
    return {
        names[source.pk]: str(template.render({**context, "source": source}))
        for source in Source.objects.filter(pk__in=list(names)).for_listing()
    }
