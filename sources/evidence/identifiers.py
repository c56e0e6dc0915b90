"""Identifiers beside the address, each checked and written one way: DOI, PMID, PMCID, ISBN, ISSN.

Each `normalize_*` returns the value as the library stores it ("" for nothing) or raises
ValidationError with a message for the field. The model's validators and `Source.clean()` use
them, so a form, an import or the admin all keep the same form:
- DOI: bare and lower case, "10.1136/bmj.k3617" (from a doi.org link or "doi:" too);
- PMID: 1 to 9 digits, "30305291" (from "PMID: 30305291" too);
- PMCID: "PMC" and digits, "PMC6180460";
- ISBN: ISBN-13 digits, "9781906461386" (an ISBN-10 is converted; `format_isbn` hyphenates);
- ISSN: "0959-8138".
`identifier_in` reads a search box for one of them.
"""

import re

from django.core.exceptions import ValidationError
from stdnum import isbn as stdnum_isbn
from stdnum import issn as stdnum_issn
from stdnum.exceptions import InvalidChecksum
from stdnum.exceptions import ValidationError as StdnumError

from sources.evidence.keys import DOI_PATTERN
from sources.evidence.keys import normalize_doi as doi_key

CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
PMID_PATTERN = re.compile(r"^(?:pmid:?\s*)?(\d{1,9})$", re.IGNORECASE)
PMID_URL = re.compile(r"^(?:https?://)?(?:www\.)?pubmed\.ncbi\.nlm\.nih\.gov/(\d{1,9})/?$", re.I)
PMCID_PATTERN = re.compile(
    r"^(?:pmcid:?\s*)?(?:https?://(?:www\.)?(?:ncbi\.nlm\.nih\.gov/)?pmc\.?"
    r"(?:ncbi\.nlm\.nih\.gov)?/articles/)?pmc(\d{1,9})/?$",
    re.IGNORECASE,
)
ISBN_PREFIX = re.compile(r"^isbn(?:-1[03])?:?\s*", re.IGNORECASE)
ISSN_PREFIX = re.compile(r"^(?:e-?|p-?)?issn:?\s*", re.IGNORECASE)


def _text(value):
    return " ".join((value or "").split())


def normalize_doi(value):
    """A DOI, bare and lower case."""
    if CONTROL_CHARACTERS.search(value or ""):
        raise ValidationError("A DOI cannot hold control characters.", code="invalid_doi")
    doi = doi_key(_text(value))
    if doi and not DOI_PATTERN.match(doi):
        raise ValidationError(
            "That is not a DOI: it starts with 10., a number, then a slash "
            "(e.g. 10.1136/bmj.k3617).",
            code="invalid_doi",
        )
    return doi


def normalize_pmid(value):
    """A PubMed ID: 1 to 9 digits."""
    value = _text(value)
    if not value:
        return ""
    match = PMID_PATTERN.match(value) or PMID_URL.match(value)
    if not match or int(match.group(1)) == 0:
        raise ValidationError(
            "A PubMed ID (PMID) is a number of 1 to 9 digits, e.g. 30305291.", code="invalid_pmid"
        )
    return str(int(match.group(1)))


def normalize_pmcid(value):
    """A PubMed Central ID: "PMC" and digits, upper case."""
    value = _text(value)
    if not value:
        return ""
    match = PMCID_PATTERN.match(value)
    if not match or int(match.group(1)) == 0:
        raise ValidationError(
            'A PubMed Central ID (PMCID) is "PMC" and a number, e.g. PMC6180460.',
            code="invalid_pmcid",
        )
    return f"PMC{int(match.group(1))}"


def normalize_isbn(value):
    """An ISBN-10 or ISBN-13, checked and given as the 13 digits of its ISBN-13."""
    value = ISBN_PREFIX.sub("", _text(value))
    if not value:
        return ""
    try:
        number = stdnum_isbn.validate(value)
    except InvalidChecksum:
        raise ValidationError(
            "That ISBN's last digit does not match the others: check it against the book.",
            code="invalid_isbn",
        ) from None
    except StdnumError:
        raise ValidationError(
            "An ISBN has 10 or 13 digits (the last of an ISBN-10 may be X), "
            "e.g. 978-1-906461-38-6.",
            code="invalid_isbn",
        ) from None
    if stdnum_isbn.isbn_type(number) not in ("ISBN10", "ISBN13"):
        raise ValidationError("That number is an ISMN, not an ISBN.", code="invalid_isbn")
    return stdnum_isbn.to_isbn13(number)


def format_isbn(value):
    """An ISBN as printed, with hyphens where the ranges put them ("978-1-906461-38-6")."""
    if not value:
        return ""
    try:
        return stdnum_isbn.format(value)
    except StdnumError:
        return value


def normalize_issn(value):
    """An ISSN, checked and written "0959-8138"."""
    value = ISSN_PREFIX.sub("", _text(value))
    if not value:
        return ""
    try:
        number = stdnum_issn.validate(value)
    except InvalidChecksum:
        raise ValidationError(
            "That ISSN's last digit does not match the others: check it against the journal.",
            code="invalid_issn",
        ) from None
    except StdnumError:
        raise ValidationError(
            "An ISSN has 8 digits, the last of which may be X, e.g. 0959-8138.",
            code="invalid_issn",
        ) from None
    return stdnum_issn.format(number)


# The model's validators: the same checks, the value itself left to Source.clean().
def validate_doi(value):
    normalize_doi(value)


def validate_pmid(value):
    normalize_pmid(value)


def validate_pmcid(value):
    normalize_pmcid(value)


def validate_isbn(value):
    normalize_isbn(value)


def validate_issn(value):
    normalize_issn(value)


NORMALIZERS = {
    "doi": normalize_doi,
    "pmid": normalize_pmid,
    "pmcid": normalize_pmcid,
    "isbn": normalize_isbn,
    "issn": normalize_issn,
}


def identifier_in(text):
    """The identifier a search box holds, as (field, stored value), or None for other words.

    A DOI (bare, as a doi.org link or after "doi:"), a PMID ("PMID 30305291", a PubMed link, or
    digits alone), a PMCID, or an ISBN with or without hyphens.
    """
    text = _text(text)
    if not text or len(text) > 300:
        return None
    bare = doi_key(text)
    if DOI_PATTERN.match(bare) and not CONTROL_CHARACTERS.search(bare):
        return "doi", bare
    for field in ("pmcid", "isbn", "pmid"):
        try:
            value = NORMALIZERS[field](text)
        except ValidationError:
            continue
        # Four digits alone read as a year or a page, not an identifier.
        if value and not (field == "pmid" and len(value) < 5 and text.isdigit()):
            return field, value
    return None
