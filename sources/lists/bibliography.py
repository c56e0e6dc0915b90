"""Several sources cited as one bibliography, in a style of sources/evidence/citations.py's STYLES.

Each style orders its list its own way: APA and Harvard alphabetically by the first author (then
year and title), Vancouver numbered in the order the sources were collected. A citation takes
citeproc 3 to 14 ms per source and style, so each rendering is cached under a key made
of what it is rendered from (the fields a citation prints and, for web sources, the day they are
last seen answering): an edit makes a new key, nothing needs invalidating, and a page of 200
sources costs one cache read.
"""

from html import unescape

from django.core.cache import caches
from django.db.models import Prefetch
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe

from sources.evidence.citations import STYLES, csl_item, format_citation
from sources.kinds import is_web_kind
from sources.models import Notice

DEFAULT_STYLE = "apa"
NUMBERED = {"vancouver"}
TIMEOUT = 7 * 24 * 60 * 60


def style_from(value):
    """The style asked for, or APA when the value names none."""
    return value if value in STYLES else DEFAULT_STYLE


def style_choices():
    return [(key, label) for key, (label, _) in STYLES.items()]


def with_records(queryset, *, tags=False):
    """Sources with what a bibliography and an item's banners read, in a fixed number of
    queries: successor, link check, notices; with `tags`, what a file's records read too."""
    queryset = queryset.select_related("superseded_by", "link_health").prefetch_related(
        Prefetch("notices", queryset=Notice.objects.order_by("published", "pk"))
    )
    return queryset.for_listing() if tags else queryset.defer("search_vector")


def _key(source, style):
    accessed = source.accessed_on if is_web_kind(source.kind) else None
    return f"bibliography:{style}:{source.pk}:{source.updated_at.timestamp()}:{accessed}"


def _cited(source):
    """What a citation is rendered from: the CSL-JSON item (its keywords, which no style
    prints, left out without reading the tags)."""
    if not hasattr(source, "_listed_tag_links"):
        source._listed_tag_links = []
    return csl_item(source)


def rendered(sources, style):
    """Each source's citation in `style`, as HTML, by source id: one cache read for all."""
    keys = {source.pk: _key(source, style) for source in sources}
    by_id = {source.pk: source for source in sources}
    cache = caches["pages"]
    found = cache.get_many(list(set(keys.values())))
    missing = {}
    for pk, key in keys.items():
        if key not in found and key not in missing:
            missing[key] = str(format_citation(_cited(by_id[pk]), style))
    if missing:
        cache.set_many(missing, TIMEOUT)
        found.update(missing)
    return {
        pk: mark_safe(found[key])  # noqa: S308 (escaped by format_citation)
        for pk, key in keys.items()
    }


def sort_key(source):
    """APA's and Harvard's order: first author's family name (or the body's name), year,
    title; a source without a date comes after the dated ones by the same author."""
    contributors = source.contributors or []
    people = [name for name in contributors if name.get("role", "author") == "author"]
    first = (people or contributors or [{}])[0]
    name = first.get("family") or first.get("literal") or source.publisher or source.title
    return (name.casefold(), source.year or 10_000, source.title.casefold())


def entries(sources, style):
    """[(source, html)] in the style's order."""
    sources = list(sources)
    html = rendered(sources, style)
    if style not in NUMBERED:
        sources = sorted(sources, key=sort_key)
    return [(source, html[source.pk]) for source in sources]


def is_numbered(style):
    return style in NUMBERED


def as_text(entries, style):
    """The bibliography as plain text, one reference a paragraph (numbered for Vancouver)."""
    lines = []
    for number, (_, html) in enumerate(entries, start=1):
        text = " ".join(unescape(strip_tags(html)).split())
        lines.append(f"{number}. {text}" if style in NUMBERED else text)
    return "\n\n".join(lines) + ("\n" if lines else "")
