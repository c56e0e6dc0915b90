"""Source cards, rendered once per change of their source and cached as fragments.

Two kinds: the library's cards, and the cards of open proposals that members browse (which say
how long ago a source was proposed, so they are cached at most PAGE_TIMEOUT, like a page).

A listing reads its page's rows with the columns a card shows (`SourceQuerySet.for_cards`);
each card is a fragment keyed by its source's id and `updated_at` and the cache generation
(`page_keys.common()`, the start of every page's key), all read in one round trip
(qlibrary/cache.py). Only the missing cards are rendered, from those rows, with their themes and
tags read in a query each.
"""

import functools
from collections import defaultdict
from urllib.parse import quote

from django.template.loader import get_template
from django.urls import reverse
from django.utils.safestring import mark_safe

from qlibrary.cache import FRAGMENT_TIMEOUT, PAGE_TIMEOUT, fragments
from sources.library import page_keys
from sources.models import Source, TaggedSource

# kind: (template, its context besides `source`, timeout)
KINDS = {
    "library": ("includes/source_card.html", {}, FRAGMENT_TIMEOUT),
    "proposal": ("includes/proposal_card.html", {"card_for": "open"}, PAGE_TIMEOUT),
}


def cards(sources, kind="library", common=None):
    """The HTML of each source's card, in the order given. `sources` are rows of
    `SourceQuerySet.for_cards`, which a missing card is rendered from; `common` is the start of
    the page's key, read here when not given."""
    sources = list(sources)
    if not sources:
        return []
    common = common or page_keys.common()
    by_name = {f"card:{kind}:{source.pk}": source for source in sources}
    html = fragments(
        {name: (*common, source.updated_at) for name, source in by_name.items()},
        lambda names: _render(kind, {name: by_name[name] for name in names}),
        timeout=KINDS[kind][2],
    )
    # A source deleted since the page listed it has no card.
    return [mark_safe(html[name]) for name in by_name if name in html]  # noqa: S308 (our template)


def _render(kind, missing):
    """The cards of the `missing` sources ({name: row}), rendered."""
    name, context, _ = KINDS[kind]
    template = get_template(name)
    context = {**context, "basket_add_url": reverse("lists:basket_add")}
    names = {source.pk: name for name, source in missing.items()}
    library = kind == "library"
    rows = _library_cards(missing.values()) if library else _proposal_cards(list(names))
    return {
        names[source.pk]: str(template.render({**context, "source": source})) for source in rows
    }


def _library_cards(sources):
    """The sources (rows of `SourceQuerySet.for_cards`) with what their cards show beyond their
    row: their themes' titles and their tags, in a query each (as values: building a model
    instance for each theme and tag cost as much as the queries), and the addresses worked out
    (`card_url`, `card_tags`)."""
    sources = list(sources)
    ids = [source.pk for source in sources]
    themes, tags = defaultdict(list), defaultdict(list)
    filed = Source.themes.through.objects.filter(source_id__in=ids)
    for source_id, title in filed.order_by("theme__display_order", "theme__title").values_list(
        "source_id", "theme__title"
    ):
        themes[source_id].append(title)
    tagged = TaggedSource.objects.filter(content_object_id__in=ids).order_by("tag__name")
    for source_id, tag, slug in tagged.values_list("content_object_id", "tag__name", "tag__slug"):
        tags[source_id].append((tag, address("sources:tag", slug)))
    for source in sources:
        source.card_url = address("sources:detail", source.slug)
        source.card_themes, source.card_tags = themes[source.pk], tags[source.pk]
    return sources


def _proposal_cards(ids):
    return Source.objects.filter(pk__in=ids).for_listing()


@functools.cache
def _address_of(url_name):
    return reverse(url_name, args=["slug-stand-in"]).replace("slug-stand-in", "{}")


def address(url_name, slug):
    """reverse(url_name, args=[slug]) for a URL whose one argument is a slug, reversed once per
    process: a card has five links, and reversing each cost a third of its rendering."""
    return _address_of(url_name).format(quote(slug, safe=""))
