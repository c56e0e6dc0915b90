"""The one mapping between a Source's bibliographic record and CSL-JSON, both ways.

`csl_item()` gives the item every way out starts from (the page's citations, CSL-JSON, RIS,
BibTeX, the page's <meta> tags); `record_from_csl()` turns an item back into Source fields, and the
RIS and BibTeX readers (sources/evidence/ris.py, sources/evidence/biblatex.py) go through it, so a
field added here reaches every format in both directions.
"""

import contextlib
import datetime
import re

from django.core.exceptions import ValidationError

from sources.evidence import identifiers
from sources.evidence.contributors import AUTHOR, EDITOR, clean_contributors, display_names
from sources.kinds import KINDS, is_web_kind, kind_format, kind_from_csl
from sources.models import LANGUAGE_PATTERN, Source

Kind = Source.Kind
# Kinds read on the web rather than published once: their citations say when they were seen.
WEB_KINDS = {kind for kind, format_ in KINDS.items() if format_.web}


def csl_name(contributor):
    """A contributor as a CSL name: an organisation as one `literal`, a person in parts."""
    if contributor.get("literal"):
        return {"literal": contributor["literal"]}
    return {
        part: contributor[part] for part in ("family", "given", "suffix") if contributor.get(part)
    }


def pages_text(first, last):
    """CSL's `page`: "106-115", or "k3617" for an article number."""
    if first and last and last != first:
        return f"{first}-{last}"
    return first or ""


def csl_item(source):
    """The source's bibliographic record as one CSL-JSON item.

    Web kinds carry `accessed`: the day the library last saw the address answer a link check
    (Source.accessed_on), never the day of rendering. No label a citation processor would print
    as text (no `genre`): the type says what the source is.
    """
    item = {"id": source.slug, "type": kind_format(source.kind).csl, "title": source.title}
    contributors = source.contributors or []
    for role, key in ((AUTHOR, "author"), (EDITOR, "editor")):
        names = [csl_name(name) for name in contributors if name.get("role", AUTHOR) == role]
        if names:
            item[key] = names
    text_fields = {
        "container-title": source.container_title,
        "volume": source.volume,
        "issue": source.issue,
        "page": pages_text(source.page_first, source.page_last),
        "publisher": source.publisher,
        "publisher-place": source.publisher_place,
        "edition": source.edition,
        "number": source.report_number,
        "DOI": source.doi,
        "PMID": source.pmid,
        "PMCID": source.pmcid,
        "ISBN": identifiers.format_isbn(source.isbn),
        "ISSN": source.issn,
        "language": source.language,
        "URL": source.url,
    }
    item.update({key: value for key, value in text_fields.items() if value})
    if source.year:
        parts = [source.year]
        if source.issued_month:
            parts.append(source.issued_month)
            if source.issued_day:
                parts.append(source.issued_day)
        item["issued"] = {"date-parts": [parts]}
    if is_web_kind(source.kind) and (accessed := source.accessed_on):
        item["accessed"] = {"date-parts": [[accessed.year, accessed.month, accessed.day]]}
    tags = [tag.name for tag in source.tag_list]
    if tags:
        item["keyword"] = ", ".join(tags)
    return item


PAGE_RANGE = re.compile(
    r"^\s*([^\s\-\u2010-\u2015]+)\s*(?:[-\u2010-\u2015]+\s*([^\s\-\u2010-\u2015]+))?\s*$"
)


def split_pages(text):
    """ "106-115" or "106–115" -> ("106", "115"); "k3617" -> ("k3617", ""); else (text, "")."""
    match = PAGE_RANGE.match(text or "")
    if not match:
        return (" ".join((text or "").split()), "")
    first, last = match.group(1), match.group(2) or ""
    if last.isdigit() and first.isdigit() and len(last) < len(first):
        last = first[: len(first) - len(last)] + last  # "1061-5" -> "1061", "1065"
    return first, last


def _normalized(field, value):
    """An identifier as the library stores it, or as given when it is not valid (the model's
    validator then names the field and says why)."""
    try:
        return identifiers.NORMALIZERS[field](value)
    except ValidationError:  # kept as given: the model's validator says why
        return " ".join(str(value).split())


def record_from_csl(item, *, kind=None, et_al=False):
    """The Source fields a CSL-JSON item gives (the way back from `csl_item`): a dict of
    field -> value, with `contributors` (roles kept), `authors` (the card's line) and `kind`."""
    contributors = []
    for key, role in (("author", AUTHOR), ("editor", EDITOR)):
        for name in item.get(key) or []:
            if name.get("literal"):
                contributors.append({"role": role, "literal": name["literal"]})
            elif name.get("family") or name.get("given"):
                person = {"role": role, "family": name.get("family") or name.get("given")}
                if name.get("family") and name.get("given"):
                    person["given"] = name["given"]
                if name.get("suffix"):
                    person["suffix"] = name["suffix"]
                contributors.append(person)
    with contextlib.suppress(ValidationError):  # left for the model's validator to name
        contributors = clean_contributors(contributors)
    fields = {
        "title": item.get("title", ""),
        "contributors": contributors,
        "et_al": bool(et_al),
        "authors": display_names(contributors, et_al),
        "kind": kind or kind_from_csl(item.get("type")) or Kind.OTHER,
    }
    simple = {
        "container-title": "container_title",
        "volume": "volume",
        "issue": "issue",
        "publisher": "publisher",
        "publisher-place": "publisher_place",
        "edition": "edition",
        "number": "report_number",
        "language": "language",
        "URL": "url",
    }
    for key, field in simple.items():
        if item.get(key):
            fields[field] = " ".join(str(item[key]).split())
    for key, field in (
        ("DOI", "doi"),
        ("PMID", "pmid"),
        ("PMCID", "pmcid"),
        ("ISBN", "isbn"),
        ("ISSN", "issn"),
    ):
        if item.get(key):
            fields[field] = _normalized(field, item[key])
    if item.get("page"):
        fields["page_first"], fields["page_last"] = split_pages(str(item["page"]))
    parts = ((item.get("issued") or {}).get("date-parts") or [[]])[0]
    for field, part in zip(("year", "issued_month", "issued_day"), parts, strict=False):
        fields[field] = part
    return fields


DATE = re.compile(r"^\s*(\d{4})(?:[/-](\d{1,2})?(?:[/-](\d{1,2}))?)?")


def csl_date_parts(text):
    """CSL date parts from "2014", "2014/02/03/" (RIS) or "2014-02-03" (biblatex): [year],
    [year, month] or [year, month, day]; a month or day that is not one is left out."""
    match = DATE.match(text or "")
    if not match:
        return []
    parts = [int(match.group(1))]
    month, day = match.group(2), match.group(3)
    if month and 1 <= int(month) <= 12:
        parts.append(int(month))
        try:
            if day and datetime.date(parts[0], parts[1], int(day)):
                parts.append(int(day))
        except ValueError:
            pass
    return parts


def is_language_code(text):
    """Whether the text is a language code the record holds ("en", "en-GB")."""
    return bool(re.match(LANGUAGE_PATTERN, text or ""))
