"""BibTeX in biblatex's data model, both ways: a source's CSL-JSON item written as the entry type
sources/kinds.py gives its kind, with only the fields biber's data model allows that type (so
`biber --tool --validate-datamodel` finds nothing), and one entry read back into the record's
fields (with what it held that the record cannot, named rather than lost).

Fields by entry type (biblatex 3, as biber 2.18 checks them):
- article: journaltitle, volume, number (the issue), pages, issn;
- book: publisher, location, edition, isbn, series (the record's container), volume;
- report: institution (the publisher), type (the kind's name: biblatex requires it), number (the
  report number), location; a report takes no editor, ISBN, ISSN or edition in biblatex;
- online (web pages, blog posts, programmes, videos): organization (the publisher);
- misc (events, other): organization, howpublished (the container), location, type;
and on every type: author, editor (not report), title, date, doi, url, urldate, eprint with
eprinttype "pubmed" (the PMID; the PMCID when there is no PMID), langid, keywords, and
entrysubtype (the kind, where the entry type is shared by several kinds).

Names: a person "Family, Given" ("von Last, Jr, First" with a suffix); an organisation in braces
({Sustainable Improvement Team, NHS England}) so no program splits it; "and others" for et al.
Text is escaped for LaTeX (\\& \\% \\{ ...); url and doi are verbatim, with only braces and
backslashes percent-encoded so nothing can close the field.
"""

import logging
import re

import bibtexparser
from bibtexparser import model as bibtex
from bibtexparser.middlewares import (
    LatexDecodingMiddleware,
    SeparateCoAuthors,
)
from bibtexparser.middlewares.names import (
    parse_single_name_into_parts,
    split_multiple_persons_names,
)
from pylatexenc import latex2text, latexwalker

from sources.evidence.contributors import AUTHOR, EDITOR, parse_name, person
from sources.evidence.csl import (
    Kind,
    csl_date_parts,
    is_language_code,
    record_from_csl,
    split_pages,
)
from sources.evidence.ris import ReadRecord
from sources.kinds import kind_format, kind_from_biblatex

logging.getLogger("bibtexparser").setLevel(logging.ERROR)

# The fields each entry type takes (of those the record fills), in the order they are written.
COMMON = ("author", "editor", "title", "date")
LINKS = ("doi", "eprint", "eprinttype", "url", "urldate", "langid", "keywords", "entrysubtype")
ENTRY_FIELDS = {
    "article": (*COMMON, "journaltitle", "volume", "number", "pages", "issn", *LINKS),
    "book": (
        *COMMON,
        "series",
        "volume",
        "edition",
        "publisher",
        "location",
        "isbn",
        "pages",
        *LINKS,
    ),
    "report": (
        "author",
        "title",
        "date",
        "type",
        "institution",
        "number",
        "location",
        "pages",
        *LINKS,
    ),
    "online": (*COMMON, "organization", *LINKS),
    "misc": (*COMMON, "howpublished", "organization", "location", "type", *LINKS),
}
# Where the record's container, publisher and number go in each entry type.
CONTAINER_FIELD = {"article": "journaltitle", "book": "series", "misc": "howpublished"}
PUBLISHER_FIELD = {
    "book": "publisher",
    "report": "institution",
    "online": "organization",
    "misc": "organization",
}
NUMBER_FIELD = {"report": "number"}
ISSUE_FIELD = {"article": "number"}
# Entry types that name the kind in `type` (biblatex prints it: "Evaluation"); the others,
# shared by several kinds, say which in `entrysubtype` (which no standard style prints).
TYPE_LABELLED = {"report", "misc"}
ONLINE_ADDRESSES = ("URL", "DOI", "PMID", "PMCID")
# ISO 8601-2's unspecified year, which biber reads: what an undated source's `date` says.
UNDATED = "XXXX"

LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
LATEX_ESCAPE = re.compile("|".join(re.escape(character) for character in LATEX_SPECIAL))
# Addresses are verbatim in BibTeX: LaTeX escaping would break them ("%" starts a comment).
VERBATIM_FIELDS = ("url", "doi")
# Braces and backslashes are the only characters that end or escape a verbatim field; they are
# percent-encoded (the same address to a browser, and never valid in a DOI the library takes),
# so nothing a member typed can close its field and add one of its own.
VERBATIM_ESCAPES = str.maketrans({"{": "%7B", "}": "%7D", "\\": "%5C"})


def verbatim(value):
    """A URL or DOI made safe to write between a BibTeX field's braces as it is."""
    return " ".join(str(value).split()).translate(VERBATIM_ESCAPES)


def latex(value):
    """Text made safe for a BibTeX field: LaTeX's special characters escaped, braces balanced;
    other characters (accents, other scripts) kept as UTF-8, which biber reads."""
    return LATEX_ESCAPE.sub(
        lambda match: LATEX_SPECIAL[match.group()], " ".join(str(value).split())
    )


# -- Writing ----------------------------------------------------------------------------------


def _name_part(text):
    """A part of a person's name, braced when it holds what BibTeX would split on."""
    text = latex(text)
    return f"{{{text}}}" if re.search(r",|\band\b", text, re.IGNORECASE) else text


def name_as_bibtex(name):
    if name.get("literal"):
        return f"{{{latex(name['literal'])}}}"
    family = _name_part(name.get("family", ""))
    if name.get("suffix"):
        return f"{family}, {_name_part(name['suffix'])}, {_name_part(name.get('given', ''))}"
    if name.get("given"):
        return f"{family}, {_name_part(name['given'])}"
    return family


def _names(names, et_al):
    return " and ".join([name_as_bibtex(name) for name in names] + (["others"] if et_al else []))


def _date(parts):
    return "-".join(f"{part:02d}" if index else f"{part:04d}" for index, part in enumerate(parts))


def entry_fields(item, kind, *, et_al=False):
    """The entry's type and [(field, value as written)] for the item."""
    entry_type = kind_format(kind).biblatex
    if entry_type == "online" and not any(item.get(key) for key in ONLINE_ADDRESSES):
        entry_type = "misc"  # biblatex's @online needs an address; without one it is @misc
    values = {}
    if item.get("author"):
        values["author"] = _names(item["author"], et_al)
    if item.get("editor"):
        values["editor"] = _names(item["editor"], et_al and not item.get("author"))
    values["title"] = latex(item["title"])
    # An undated source says so in ISO 8601-2's way (an unspecified year): biblatex requires a date.
    values["date"] = _date(item["issued"]["date-parts"][0]) if item.get("issued") else UNDATED
    if item.get("container-title") and entry_type in CONTAINER_FIELD:
        values[CONTAINER_FIELD[entry_type]] = latex(item["container-title"])
    if item.get("publisher") and entry_type in PUBLISHER_FIELD:
        values[PUBLISHER_FIELD[entry_type]] = latex(item["publisher"])
    if item.get("issue") and entry_type in ISSUE_FIELD:
        values[ISSUE_FIELD[entry_type]] = latex(item["issue"])
    if item.get("number") and entry_type in NUMBER_FIELD:
        values[NUMBER_FIELD[entry_type]] = latex(item["number"])
    for key, field in (
        ("volume", "volume"),
        ("publisher-place", "location"),
        ("edition", "edition"),
        ("ISBN", "isbn"),
        ("ISSN", "issn"),
        ("language", "langid"),
        ("keyword", "keywords"),
    ):
        if item.get(key):
            values[field] = latex(item[key])
    if item.get("page"):
        first, last = split_pages(item["page"])
        values["pages"] = latex(f"{first}--{last}" if last else first)
    if item.get("DOI"):
        values["doi"] = verbatim(item["DOI"])
    if item.get("URL"):
        values["url"] = verbatim(item["URL"])
    if item.get("accessed"):
        values["urldate"] = _date(item["accessed"]["date-parts"][0])
    if item.get("PMID") or item.get("PMCID"):
        values["eprint"] = item.get("PMID") or item["PMCID"]
        values["eprinttype"] = "pubmed" if item.get("PMID") else "pmcid"
    label = Kind(kind).label if kind in Kind.values else Kind.OTHER.label
    if entry_type in TYPE_LABELLED:
        values["type"] = latex(label)
    else:
        values["entrysubtype"] = str(kind)
    allowed = ENTRY_FIELDS[entry_type]
    return entry_type, [(field, values[field]) for field in allowed if values.get(field)]


def bibtex_entry_text(item, kind, *, et_al=False):
    entry_type, fields = entry_fields(item, kind, et_al=et_al)
    lines = ",\n".join(f"\t{field} = {{{value}}}" for field, value in fields)
    return f"@{entry_type}{{{item['id']},\n{lines}\n}}\n"


def bibtex_text(items):
    """BibTeX for [(CSL-JSON item, kind, et al.)]."""
    return "\n".join(bibtex_entry_text(item, kind, et_al=et_al) for item, kind, et_al in items)


# -- Reading ----------------------------------------------------------------------------------


def _latex_decoder():
    context = latex2text.get_default_latex_context_db()
    context.add_context_category(
        "qlibrary-bibtex",
        prepend=True,
        macros=[
            latex2text.MacroTextSpec("url", simplify_repl="%s"),
            # The characters `latex()` writes as macros come back as they were typed.
            latex2text.MacroTextSpec("textasciicircum", simplify_repl="^"),
            latex2text.MacroTextSpec("textasciitilde", simplify_repl="~"),
        ],
    )
    return latex2text.LatexNodes2Text(
        latex_context=context, keep_braced_groups=False, math_mode="verbatim"
    )


LATEX_DECODER = _latex_decoder()
LATEX_WALKER_CONTEXT = latexwalker.get_default_latex_context_db()
LATEX_MARKUP = re.compile(r"[\\{}$%&~]|--|``|''|[!?]`")


def text_of(value):
    """A field's LaTeX as plain text; plain text as it is, without parsing it."""
    value = " ".join(str(value or "").split())
    if not LATEX_MARKUP.search(value):
        return value
    try:
        text = LATEX_DECODER.latex_to_text(value, latex_context=LATEX_WALKER_CONTEXT)
    except Exception:  # noqa: BLE001 (pylatexenc raises several kinds on broken markup)
        return value
    return " ".join(text.split())


OTHER_BIBTEX_KINDS = {
    "techreport": Kind.REPORT,
    "inbook": Kind.BOOK,
    "incollection": Kind.BOOK,
    "collection": Kind.BOOK,
    "inproceedings": Kind.EVENT,
    "electronic": Kind.WEBSITE,
    "www": Kind.WEBSITE,
}
KIND_BY_LABEL = {label.lower(): value for value, label in Kind.choices}
# The fields read into the record; any other is reported as dropped.
READ_FIELDS = {
    "author",
    "editor",
    "title",
    "journaltitle",
    "journal",
    "booktitle",
    "series",
    "howpublished",
    "volume",
    "number",
    "issue",
    "pages",
    "eid",
    "publisher",
    "institution",
    "organization",
    "school",
    "location",
    "address",
    "edition",
    "isbn",
    "issn",
    "doi",
    "url",
    "eprint",
    "eprinttype",
    "pmid",
    "pmcid",
    "date",
    "year",
    "month",
    "day",
    "langid",
    "language",
    "type",
    "entrysubtype",
    "abstract",
    "keywords",
}
MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}


def name_from_bibtex(text, role=AUTHOR):
    """One name of an author/editor list (LaTeX, not yet decoded) as a contributor."""
    text = text.strip()
    if text.startswith("{") and text.endswith("}") and _braced_whole(text):
        return {"role": role, "literal": text_of(text[1:-1])} if text_of(text[1:-1]) else None
    if "," not in text:
        return parse_name(text_of(text), role)
    parts = parse_single_name_into_parts(text, strict=False)
    family = text_of(" ".join(parts.von + parts.last))
    given = text_of(" ".join(parts.first))
    suffix = text_of(" ".join(parts.jr))
    if not family:
        return parse_name(text_of(text), role)
    return person(role, family, given, suffix)


def _braced_whole(text):
    """Whether the braces opening the text close only at its end."""
    depth = 0
    for index, character in enumerate(text):
        if character == "{" and (index == 0 or text[index - 1] != "\\"):
            depth += 1
        elif character == "}" and text[index - 1] != "\\":
            depth -= 1
            if depth == 0 and index != len(text) - 1:
                return False
    return depth == 0


def _read_names(value, role):
    names, et_al = [], False
    for text in split_multiple_persons_names(value or ""):
        if text.strip().lower() == "others":
            et_al = True
            continue
        name = name_from_bibtex(text, role)
        if name:
            names.append({part: value for part, value in name.items() if part != "role"})
    return names, et_al


def _kind(entry_type, values):
    subtype = text_of(values.get("entrysubtype", "")).strip().lower()
    if subtype in Kind.values:
        return Kind(subtype)
    return (
        KIND_BY_LABEL.get(text_of(values.get("type", "")).strip().lower())
        or kind_from_biblatex(entry_type)
        or OTHER_BIBTEX_KINDS.get(entry_type)
        or Kind.OTHER
    )


def _read_date(values):
    if values.get("date"):
        return csl_date_parts(text_of(values["date"]))
    year = text_of(values.get("year", ""))
    month = text_of(values.get("month", "")).strip().lower()[:3]
    month = str(MONTHS.get(month, month))
    day = text_of(values.get("day", ""))
    return csl_date_parts("-".join(part for part in (year, month, day) if part))


def record_from_bibtex(entry_type, values):
    """One entry: its type and {field: raw value} (LaTeX not yet decoded) -> ReadRecord."""
    result = ReadRecord()
    entry_type = (entry_type or "").lower()
    values = {key.lower(): str(value) for key, value in values.items()}
    kind = _kind(entry_type, values)
    item = {"title": text_of(values.get("title", "")), "type": kind_format(kind).csl}
    authors, authors_et_al = _read_names(values.get("author"), AUTHOR)
    editors, editors_et_al = _read_names(values.get("editor"), EDITOR)
    if authors:
        item["author"] = authors
    if editors:
        item["editor"] = editors
    text = {
        key: text_of(value)
        for key, value in values.items()
        if key in READ_FIELDS and key not in (*VERBATIM_FIELDS, "author", "editor")
    }
    container = next(
        (
            text[key]
            for key in ("journaltitle", "journal", "booktitle", "series", "howpublished")
            if text.get(key)
        ),
        "",
    )
    if container:
        item["container-title"] = container
    publisher = next(
        (
            text[key]
            for key in ("publisher", "institution", "organization", "school")
            if text.get(key)
        ),
        "",
    )
    if publisher:
        item["publisher"] = publisher
    if text.get("volume"):
        item["volume"] = text["volume"]
    issue = text.get("issue") or (text.get("number") if entry_type in ("article",) else "")
    if issue:
        item["issue"] = issue
    if text.get("number") and entry_type in ("report", "techreport", "misc"):
        item["number"] = text["number"]
    elif text.get("number") and entry_type not in ("article",):
        result.dropped.append(f"number “{text['number'][:80]}”")
    place = text.get("location") or text.get("address")
    if place:
        item["publisher-place"] = place
    for key, csl_key in (
        ("edition", "edition"),
        ("isbn", "ISBN"),
        ("issn", "ISSN"),
        ("pmid", "PMID"),
        ("pmcid", "PMCID"),
    ):
        if text.get(key):
            item[csl_key] = text[key]
    eprint_type = text.get("eprinttype", "").strip().lower()
    if text.get("eprint") and eprint_type in ("pubmed", "pmid"):
        item["PMID"] = text["eprint"]
    elif text.get("eprint") and eprint_type in ("pmc", "pmcid", "pubmedcentral"):
        item["PMCID"] = text["eprint"]
    elif text.get("eprint"):
        result.dropped.append(f"eprint “{text['eprint'][:80]}” ({eprint_type or 'no eprinttype'})")
    pages = text.get("pages") or text.get("eid")
    if pages:
        first, last = split_pages(pages)
        item["page"] = f"{first}-{last}" if last else first
    if values.get("doi"):
        item["DOI"] = values["doi"]
    if values.get("url"):
        item["URL"] = " ".join(values["url"].split())
    parts = _read_date(values)
    if parts:
        item["issued"] = {"date-parts": [parts]}
    elif (given := text.get("date") or text.get("year")) and given.upper() != UNDATED:
        result.dropped.append(f"date “{given[:80]}” (not a date)")
    fields = record_from_csl(
        item, kind=kind, et_al=authors_et_al or (editors_et_al and not authors)
    )
    language = text.get("langid") or text.get("language")
    if language and is_language_code(language):
        fields["language"] = language
    elif language:
        result.dropped.append(f"language “{language[:80]}” (not a language code such as en-GB)")
    fields["summary"] = text.get("abstract", "")
    result.fields = fields
    result.keywords = [
        keyword.strip()
        for keyword in re.split(r"[,;]", text.get("keywords", ""))
        if keyword.strip()
    ]
    for key in values:
        if key == "urldate":
            result.dropped.append("urldate (the library keeps the day it last saw the page)")
        elif key not in READ_FIELDS:
            result.dropped.append(key)
    used_publishers = [
        key for key in ("publisher", "institution", "organization", "school") if text.get(key)
    ]
    result.dropped += [
        f"{key} “{text[key][:80]}”" for key in used_publishers[1:] if text[key] != publisher
    ]
    return result


# -- Kept for readers of the whole file -------------------------------------------------------


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


class LatexDecodeText(_TextOnly, LatexDecodingMiddleware):
    pass


def parse_bibtex(text):
    """A BibTeX file as a bibtexparser Library, authors split and LaTeX decoded."""
    return bibtexparser.parse_string(
        text, append_middleware=[LatexDecodeText(), SeparateCoAuthors()]
    )


def parse_entries(text):
    """Each entry of a BibTeX file read into the record: [ReadRecord], in the file's order."""
    return [
        record_from_bibtex(block.entry_type, {f.key: f.value for f in block.fields})
        for block in bibtexparser.parse_string(text).blocks
        if isinstance(block, bibtex.Entry)
    ]
