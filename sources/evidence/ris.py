"""RIS, both ways: a source's CSL-JSON item written with the tags reference managers read for its
type, and one RIS record read back into the record's fields (with what it held that the record
cannot, named rather than lost).

Tags written: TY (sources/kinds.py), TI, AU (one per author), A2 (editors), JO and T2 (a
journal; T2 alone for a website, blog or book series), VL, IS, SP, EP, SN (ISBN and ISSN), PB, CY,
ET, M1 (report number), AN (PMID), C2 (PMCID), DO, UR, PY and DA (the issued date), Y2 (the day
the library last saw a web source answer), LA, KW, and M3 (the kind's name, so that a systematic
review comes back a systematic review rather than a journal article).

Names: a person is "Family, Given" (", Suffix" after); an organisation ends with a comma
("Sustainable Improvement Team, NHS England,"), EndNote's mark of a corporate author, so its name
is read back whole, commas and all.
"""

import re
from dataclasses import dataclass, field

import rispy
from django.core.exceptions import ValidationError
from rispy.config import TAG_KEY_MAPPING

from sources.evidence import identifiers
from sources.evidence.contributors import (
    AUTHOR,
    EDITOR,
    looks_like_organisation,
    organisation,
    parse_name,
    reads_as_person,
)
from sources.evidence.csl import (
    Kind,
    csl_date_parts,
    is_language_code,
    record_from_csl,
    split_pages,
)
from sources.kinds import kind_format, kind_from_ris

KIND_BY_LABEL = {label.lower(): value for value, label in Kind.choices}
# RIS types other programs write, beyond the one each kind is written as.
OTHER_RIS_KINDS = {
    "JFULL": Kind.JOURNAL_ARTICLE,
    "MGZN": Kind.JOURNAL_ARTICLE,
    "GOVDOC": Kind.REPORT,
    "CHAP": Kind.BOOK,
    "EBOOK": Kind.BOOK,
    "WEB": Kind.WEBSITE,
    "MPCT": Kind.VIDEO,
    "CONF": Kind.EVENT,
    "CPAPER": Kind.EVENT,
}
TAG_OF_KEY = {key: tag for tag, key in TAG_KEY_MAPPING.items()}
# rispy's names for the tags the record is read from.
READ_KEYS = {
    "type_of_reference",
    "id",
    "title",
    "primary_title",
    "authors",
    "first_authors",
    "secondary_authors",
    "journal_name",
    "secondary_title",
    "alternate_title1",
    "alternate_title2",
    "alternate_title3",
    "volume",
    "number",
    "start_page",
    "end_page",
    "issn",
    "publisher",
    "place_published",
    "edition",
    "note",
    "accession_number",
    "custom2",
    "doi",
    "urls",
    "year",
    "publication_year",
    "date",
    "language",
    "type_of_work",
    "abstract",
    "notes_abstract",
    "keywords",
}
NUMBER_READERS = (("ISSN", identifiers.normalize_issn), ("ISBN", identifiers.normalize_isbn))
PMID_DIGITS = re.compile(r"^\D*(\d{1,9})\D*$")


# -- Writing ----------------------------------------------------------------------------------


def name_as_ris(name):
    """A CSL name as an AU/A2 value: "Family, Given[, Suffix]", or "Organisation,"."""
    if name.get("literal"):
        return f"{name['literal']},"
    text = name.get("family", "")
    if name.get("given"):
        text += f", {name['given']}"
    if name.get("suffix"):
        text += f", {name['suffix']}"
    return text


def _date(parts, trailing=False):
    """ "2014/02/03" (RIS's DA and Y2), from CSL date parts."""
    text = "/".join(f"{part:02d}" if index else str(part) for index, part in enumerate(parts))
    return text + ("/" if trailing else "")


def ris_record(item, kind):
    """The item as rispy's record: its keys are rispy's names for the tags."""
    format_ = kind_format(kind)
    record = {
        "type_of_reference": format_.ris,
        "id": item["id"],
        "title": item["title"],
        "type_of_work": Kind(kind).label if kind in Kind.values else Kind.OTHER.label,
    }
    if item.get("author"):
        record["authors"] = [name_as_ris(name) for name in item["author"]]
    if item.get("editor"):
        record["secondary_authors"] = [name_as_ris(name) for name in item["editor"]]
    if container := item.get("container-title"):
        if format_.csl == "article-journal":
            record["journal_name"] = container
        record["secondary_title"] = container
    simple = {
        "volume": "volume",
        "issue": "number",
        "publisher": "publisher",
        "publisher-place": "place_published",
        "edition": "edition",
        "number": "note",
        "PMID": "accession_number",
        "PMCID": "custom2",
        "DOI": "doi",
        "language": "language",
    }
    record.update({tag: item[key] for key, tag in simple.items() if item.get(key)})
    if item.get("page"):
        first, last = split_pages(item["page"])
        record["start_page"] = first
        if last:
            record["end_page"] = last
    numbers = [item[key] for key in ("ISBN", "ISSN") if item.get(key)]
    if numbers:
        record["issn"] = "; ".join(numbers)
    if item.get("URL"):
        record["urls"] = [item["URL"]]
    if item.get("issued"):
        parts = item["issued"]["date-parts"][0]
        record["year"] = str(parts[0])
        record["date"] = _date(parts)
    if item.get("accessed"):
        record["access_date"] = _date(item["accessed"]["date-parts"][0])
    if item.get("keyword"):
        record["keywords"] = item["keyword"].split(", ")
    return record


class RisWriter(rispy.RisWriter):
    """rispy's RIS writer without the "1." counter line it puts before each record."""

    def set_header(self, count):
        return ""


def _one_line(value):
    """RIS is a tag per line: a line break in a value would start a tag of its own."""
    if isinstance(value, list):
        return [_one_line(part) for part in value]
    return " ".join(str(value).split())


def ris_text(items):
    """RIS for [(CSL-JSON item, kind)]."""
    records = [
        {tag: _one_line(value) for tag, value in ris_record(item, kind).items()}
        for item, kind in items
    ]
    return rispy.dumps(records, implementation=RisWriter)


# -- Reading ----------------------------------------------------------------------------------


@dataclass
class ReadRecord:
    """What one RIS record or BibTeX entry gives: Source fields, keywords for tags, and a line
    for each thing it held that the record cannot ("N1 (notes)", "LA “English” (not a language
    code)")."""

    fields: dict = field(default_factory=dict)
    keywords: list = field(default_factory=list)
    dropped: list = field(default_factory=list)


def name_from_ris(text, role=AUTHOR):
    """One AU/A2 value as a contributor: "Family, Given" or "Given Family" a person, a value
    ending in a comma an organisation (kept whole), a body's name ("NHS England") one too."""
    text = " ".join((text or "").split())
    if text.endswith(","):
        body = text.rstrip(", ")
        return organisation(body, role) if body else None
    if "," not in text and looks_like_organisation(text) and not reads_as_person(text):
        return organisation(text, role)
    return parse_name(text, role)


def _first(data, *keys):
    for key in keys:
        value = data.get(key)
        if isinstance(value, list):
            value = value[0] if value else ""
        if value and str(value).strip():
            return " ".join(str(value).split())
    return ""


def read_date(year_text, date_text=""):
    """CSL date parts from RIS's PY ("2014", "2014///") and DA ("2014/02/03/")."""
    for text in (date_text, year_text):
        parts = csl_date_parts(text)
        if parts:
            return parts
    return []


def _kind(type_of_reference, label):
    return (
        KIND_BY_LABEL.get((label or "").strip().lower())
        or kind_from_ris((type_of_reference or "").strip().upper())
        or OTHER_RIS_KINDS.get((type_of_reference or "").strip().upper())
        or Kind.OTHER
    )


def split_standard_numbers(text):
    """SN holds an ISBN, an ISSN or both: {"ISBN": ..., "ISSN": ...} and what is neither."""
    found, unread = {}, []
    for part in re.split(r"[;,]", text or ""):
        part = part.strip()
        if not part:
            continue
        for key, normalize in NUMBER_READERS:
            try:
                value = normalize(part)
            except ValidationError:
                continue
            if value and key not in found:
                found[key] = value
                break
        else:
            unread.append(part)
    return found, unread


def record_from_ris(data):
    """One record as rispy reads it (a dict) -> ReadRecord."""
    result = ReadRecord()
    kind = _kind(data.get("type_of_reference"), data.get("type_of_work"))
    item = {"title": _first(data, "title", "primary_title"), "type": kind_format(kind).csl}
    authors = data.get("authors") or data.get("first_authors") or []
    editors = list(data.get("secondary_authors") or [])
    unknown = data.get("unknown_tag") or {}
    editors += unknown.pop("ED", []) if isinstance(unknown, dict) else []
    names = {"author": [], "editor": []}
    for key, values, role in (("author", authors, AUTHOR), ("editor", editors, EDITOR)):
        for value in values:
            name = name_from_ris(value, role)
            if name:
                names[key].append({part: text for part, text in name.items() if part != "role"})
    item.update({key: value for key, value in names.items() if value})
    container = _first(
        data,
        "journal_name",
        "alternate_title3",
        "secondary_title",
        "alternate_title2",
        "alternate_title1",
    )
    if container:
        item["container-title"] = container
    simple = {
        "volume": "volume",
        "number": "issue",
        "publisher": "publisher",
        "place_published": "publisher-place",
        "edition": "edition",
        "note": "number",
        "doi": "DOI",
        "custom2": "PMCID",
    }
    for key, csl_key in simple.items():
        if value := _first(data, key):
            item[csl_key] = value
    if pmid := _first(data, "accession_number"):
        match = PMID_DIGITS.match(pmid)
        if match:
            item["PMID"] = match.group(1)
        else:
            result.dropped.append(f"AN “{pmid[:80]}” (not a PubMed ID)")
    first, last = split_pages(_first(data, "start_page"))
    last = _first(data, "end_page") or last
    if first:
        item["page"] = f"{first}-{last}" if last else first
    numbers, unread = split_standard_numbers(_first(data, "issn"))
    item.update(numbers)
    result.dropped += [f"SN “{part[:80]}” (neither an ISBN nor an ISSN)" for part in unread]
    if url := _first(data, "urls"):
        item["URL"] = url
    given_date = _first(data, "date") or _first(data, "year", "publication_year")
    parts = read_date(_first(data, "year", "publication_year"), _first(data, "date"))
    if parts:
        item["issued"] = {"date-parts": [parts]}
    elif given_date:
        result.dropped.append(f"PY “{given_date[:80]}” (not a date)")
    fields = record_from_csl(item, kind=kind)
    language = _first(data, "language")
    if language and is_language_code(language):
        fields["language"] = language
    elif language:
        result.dropped.append(f"LA “{language[:80]}” (not a language code such as en-GB)")
    fields["summary"] = _first(data, "abstract", "notes_abstract")
    result.fields = fields
    result.keywords = [keyword for keyword in data.get("keywords") or [] if keyword]
    for key in data:
        if key == "unknown_tag":
            result.dropped += [f"{tag}" for tag in sorted(unknown)]
        elif key == "access_date":
            result.dropped.append(
                "Y2 (access date: the library keeps the day it last saw the page)"
            )
        elif key not in READ_KEYS:
            tag = TAG_OF_KEY.get(key, key)
            result.dropped.append(f"{tag} ({key.replace('_', ' ')})")
    return result
