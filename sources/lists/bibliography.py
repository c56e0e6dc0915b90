"""Several sources cited as one bibliography, in a style of sources/evidence/citations.py's STYLES.

Each style orders its list its own way: APA and Harvard alphabetically by the first author (then
year and title), Vancouver numbered in the order the sources were collected. A citation takes
citeproc 3 to 14 ms per source and style: each source's citations are rendered when it is
approved or edited and stored with it, and checked against what they were rendered from.
"""

from html import unescape

from django.db.models import Prefetch
from django.utils.html import strip_tags

from sources.evidence.citations import STYLES, rendered_citations
from sources.models import Notice

DEFAULT_STYLE = "apa"
NUMBERED = {"vancouver"}


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


def rendered(sources, style):
    """Each source's citation in `style`, as HTML, by source id: those stored with each source,
    else one cache read for all (sources/evidence/citations.py). The sources' tags are not read:
    no style prints them."""
    for source in sources:
        if not hasattr(source, "_listed_tag_links"):
            source._listed_tag_links = []
    return {pk: by_style[style] for pk, by_style in rendered_citations(sources, [style]).items()}


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
