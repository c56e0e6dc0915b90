"""Source cards, rendered once per change of their source and kept in the pages cache.

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


def _name(source):
    return f"card:{source.pk}"


def cards(sources):
    """The HTML of each source's card, in the order given. `sources` need only `pk` and `slug`."""
    sources = list(sources)
    by_name = {_name(source): source for source in sources}
    html = page_cache.remember_each(
        {name: [page_cache.source_page(source.slug)] for name, source in by_name.items()},
        lambda names: _render([by_name[name].pk for name in names]),
    )
    return [mark_safe(html[_name(source)]) for source in sources]  # noqa: S308 (our template)


def _render(ids):
    template = get_template("includes/source_card.html")
    return {
        _name(source): str(template.render({"source": source}))
        for source in Source.objects.filter(pk__in=ids).for_listing()
    }
