"""Filling the proposal form from an identifier: a DOI, a PubMed ID, an ISBN or a web address.

`identify()` says what the member pasted; `look_up()` asks the matching service and returns the
proposal form's fields (`Found`); `fill_in()` is what the proposal form calls: it also applies the
per-member rate limit and checks the library and the queue for the same DOI or URL, and always
answers with an `Outcome` carrying one clear sentence.

- DOI: content negotiation on the DOI resolver (CSL-JSON), which answers for Crossref and
  DataCite DOIs alike after a redirect.
- PubMed ID: NCBI E-utilities esummary, which also says whether the paper is retracted.
- ISBN (check digit validated): the Open Library Books API.
- Web address: the page's Highwire `citation_*`, Dublin Core and Open Graph `<meta>` tags, as
  reference managers read them.

How each service is asked, and its answer read, is in its client (sources/clients/); this
module chooses the service, turns its answer into the form's fields, and says its failures in
words a member can act on.
"""

import html
import re
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat, pluralize
from django.utils import timezone

from qlibrary import outbound
from sources.clients import (
    ErrorStatus,
    UnreadableAnswer,
    doi_resolver,
    openlibrary,
    pubmed,
    web_pages,
)
from sources.evidence import contributors as names
from sources.evidence import identifiers
from sources.evidence.csl import split_pages
from sources.evidence.keys import is_valid_doi, normalize_doi, normalize_url
from sources.models import LANGUAGE_PATTERN, MIN_YEAR, PAGE_PATTERN, Source
from sources.proposals.duplicates import live_duplicate

SUMMARY_LENGTH = 2000

# The form's labels, in the form's order, for the message saying what was filled.
FIELD_LABELS = {
    "title": "title",
    "kind": "kind",
    "url": "URL",
    "doi": "DOI",
    "contributors": "authors",
    "container_title": "journal",
    "volume": "volume",
    "issue": "issue",
    "page_first": "pages",
    "page_last": "pages",
    "publisher": "publisher",
    "publisher_place": "place",
    "edition": "edition",
    "report_number": "report number",
    "pmid": "PMID",
    "pmcid": "PMCID",
    "isbn": "ISBN",
    "issn": "ISSN",
    "year": "date",
    "issued_month": "date",
    "issued_day": "date",
    "language": "language",
    "summary": "summary",
}
# The record's text fields, as long as the model lets them be; a value too long (or not valid,
# such as a page range a service wrote in words) is left for the member to fill in.
FIELD_LENGTHS = {
    "title": 300,
    "url": 1000,
    "doi": 200,
    "container_title": 300,
    "volume": 30,
    "issue": 30,
    "page_first": 20,
    "page_last": 20,
    "publisher": 300,
    "publisher_place": 150,
    "edition": 50,
    "report_number": 100,
}
IDENTIFIERS = {
    "pmid": identifiers.normalize_pmid,
    "pmcid": identifiers.normalize_pmcid,
    "isbn": identifiers.normalize_isbn,
    "issn": identifiers.normalize_issn,
}

CSL_KINDS = {
    "journal-article": Source.Kind.JOURNAL_ARTICLE,
    "article-journal": Source.Kind.JOURNAL_ARTICLE,
    "article": Source.Kind.JOURNAL_ARTICLE,
    "review": Source.Kind.JOURNAL_ARTICLE,
    "book": Source.Kind.BOOK,
    "monograph": Source.Kind.BOOK,
    "edited-book": Source.Kind.BOOK,
    "reference-book": Source.Kind.BOOK,
    "chapter": Source.Kind.BOOK,
    "book-chapter": Source.Kind.BOOK,
    "report": Source.Kind.REPORT,
    "report-component": Source.Kind.REPORT,
    "webpage": Source.Kind.WEBSITE,
    "post-weblog": Source.Kind.BLOG_POST,
    "motion_picture": Source.Kind.VIDEO,
    "broadcast": Source.Kind.VIDEO,
    "paper-conference": Source.Kind.EVENT,
    "proceedings-article": Source.Kind.EVENT,
}
PUBMED_KINDS = [  # the first publication type found decides
    ("Systematic Review", Source.Kind.SYSTEMATIC_REVIEW),
    ("Meta-Analysis", Source.Kind.SYSTEMATIC_REVIEW),
    ("Evaluation Study", Source.Kind.EVALUATION),
    ("Case Reports", Source.Kind.CASE_STUDY),
]

PMID_PATTERN = re.compile(
    r"^(?:pmid:?\s*|pubmed:?\s*)?(\d{1,9})$"
    r"|^(?:https?://)?(?:pubmed\.ncbi\.nlm\.nih\.gov|(?:www\.)?ncbi\.nlm\.nih\.gov/pubmed)/(\d{1,9})/?$",
    re.IGNORECASE,
)
ISBN_PATTERN = re.compile(r"^(?:isbn(?:-1[03])?:?\s*)?([0-9][0-9\s-]{8,16}[0-9Xx])$", re.IGNORECASE)
DOI_URL = re.compile(r"^(?:https?://)?(?:dx\.|www\.)?doi\.org/", re.IGNORECASE)
YEAR_PATTERN = re.compile(r"\b(1[89]\d\d|2[01]\d\d)\b")
# Kinds whose page's site name is their container ("website" in CSL).
WEB_KINDS = (Source.Kind.WEBSITE, Source.Kind.BLOG_POST, Source.Kind.PROGRAMME, Source.Kind.VIDEO)


class LookupFailed(Exception):
    """The identifier could not be looked up; the message is one sentence for the member."""


@dataclass(frozen=True)
class Identifier:
    kind: str  # "doi", "pmid", "isbn" or "url"
    value: str

    NAMES = {"doi": "DOI", "pmid": "PubMed ID", "isbn": "ISBN", "url": "web address"}

    @property
    def name(self):
        return self.NAMES[self.kind]

    @property
    def described(self):
        return f"{self.name} {self.value}"


@dataclass
class Found:
    """What a service said about an identifier: the bibliographic record, as the proposal
    form's fields. `contributors` is a list of CSL-JSON names (sources/evidence/contributors.py)."""

    title: str = ""
    kind: str = ""
    url: str = ""
    doi: str = ""
    contributors: list = field(default_factory=list)
    et_al: bool = False
    container_title: str = ""
    volume: str = ""
    issue: str = ""
    page_first: str = ""
    page_last: str = ""
    publisher: str = ""
    publisher_place: str = ""
    edition: str = ""
    report_number: str = ""
    pmid: str = ""
    pmcid: str = ""
    isbn: str = ""
    issn: str = ""
    year: int | None = None
    issued_month: int | None = None
    issued_day: int | None = None
    language: str = ""
    summary: str = ""
    retracted: bool = False
    notes: list[str] = field(default_factory=list)

    def form_fields(self):
        """The fields that have a valid value, cleaned to fit the form; the rest are left for
        the member to fill in."""
        values = {}
        for name in FIELD_LABELS:
            value = self._form_value(name)
            if value:
                values[name] = value
        if values.get("year") is None:
            values.pop("issued_month", None)
        if values.get("issued_month") is None:
            values.pop("issued_day", None)
        return values

    def _form_value(self, name):
        if name == "contributors":
            return self._contributor_lines()
        value = getattr(self, name)
        if name in ("year", "issued_month", "issued_day"):
            return self._date_part(name, value)
        value = clean_text(value or "")
        if name == "summary":
            return shorten(value, SUMMARY_LENGTH)
        if name in IDENTIFIERS:
            try:
                return IDENTIFIERS[name](value)
            except ValidationError:
                return ""
        if name in ("page_first", "page_last") and not re.match(PAGE_PATTERN, value):
            return ""
        if name == "language":
            return value if re.match(LANGUAGE_PATTERN, value) else ""
        if name == "url" and not re.match(r"https?://", value, re.IGNORECASE):
            return ""  # the form takes web addresses only
        if name in FIELD_LENGTHS and len(value) > FIELD_LENGTHS[name]:
            return (
                ""
                if name in ("volume", "issue", "page_first", "page_last")
                else shorten(value, FIELD_LENGTHS[name])
            )
        return value

    def _contributor_lines(self):
        kept = []
        for name in self.contributors[: names.MAX_CONTRIBUTORS]:
            try:
                kept.extend(names.clean_contributors([name]))
            except ValidationError:
                continue
        et_al = self.et_al or len(self.contributors) > len(kept)
        return names.as_lines(kept, et_al=et_al and bool(kept))

    def _date_part(self, name, value):
        if value is None:
            return None
        if name == "year":
            return value if MIN_YEAR <= value <= timezone.now().year + 1 else None
        if name == "issued_month":
            return value if 1 <= value <= 12 else None
        try:
            date(self.year or 2000, self.issued_month or 1, value)
        except (TypeError, ValueError):
            return None
        return value


@dataclass
class Outcome:
    """The answer to "Fill in": the fields to fill, or why nothing was filled."""

    ok: bool
    message: str
    fields: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    duplicate: Source | None = None
    rate_limited: bool = False

    def as_json(self):
        return {
            "ok": self.ok,
            "message": self.message,
            "fields": self.fields,
            "warnings": self.warnings,
            "duplicate": (
                {"title": self.duplicate.title, "url": self.duplicate.get_absolute_url()}
                if self.duplicate
                else None
            ),
        }


# Saying what the member pasted


def identify(text):
    """What `text` is: a DOI, PubMed ID, ISBN or web address; LookupFailed if none of them."""
    text = " ".join((text or "").split()).strip("<>\"' ")
    if not text:
        raise LookupFailed("Paste a DOI, a PubMed ID, an ISBN or a web address first.")
    if DOI_URL.match(text) or text.lower().startswith("doi:") or text.startswith("10."):
        doi = normalize_doi(unquote(text))
        if is_valid_doi(doi):
            return Identifier("doi", doi)
        raise LookupFailed(
            "That does not look like a DOI: a DOI has the form 10.1136/bmjqs-2015-004315 "
            "(a prefix starting with 10, a slash and a suffix)."
        )
    if match := PMID_PATTERN.match(text):
        return Identifier("pmid", match.group(1) or match.group(2))
    if match := ISBN_PATTERN.match(text):
        return Identifier("isbn", checked_isbn(match.group(1)))
    scheme = urlsplit(text).scheme.lower() if ":" in text else ""
    if scheme in ("http", "https"):
        return Identifier("url", text)
    if text.lower().startswith("www."):
        return Identifier("url", "https://" + text)
    if scheme in ("pmid", "pubmed"):
        raise LookupFailed(
            "That is not a PubMed ID: a PubMed ID is a number of up to 9 digits, such as 30154090."
        )
    if scheme and not scheme.isdigit():
        raise LookupFailed("Only web addresses starting with http:// or https:// can be looked up.")
    raise LookupFailed(
        "That is not a DOI, a PubMed ID, an ISBN or a web address; check what you pasted."
    )


def checked_isbn(text):
    """The ISBN without spaces or hyphens, if its check digit is right."""
    isbn = re.sub(r"[\s-]", "", text).upper()
    if len(isbn) == 10 and isbn[:9].isdigit():
        total = sum((10 - i) * int(d) for i, d in enumerate(isbn[:9]))
        check = (11 - total % 11) % 11
        if isbn[9] == ("X" if check == 10 else str(check)):
            return isbn
    elif len(isbn) == 13 and isbn.isdigit() and isbn[:3] in ("978", "979"):
        total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(isbn[:12]))
        if int(isbn[12]) == (10 - total % 10) % 10:
            return isbn
    else:
        raise LookupFailed(
            "That is not a valid ISBN: an ISBN has 10 digits (the last may be X) or 13 "
            "digits starting with 978 or 979."
        )
    raise LookupFailed(
        f"The ISBN {isbn} is not valid (its check digit is wrong); check it against the book."
    )


# Asking the services


def look_up(identifier):
    """Ask the service for `identifier` (an Identifier) and return what it says as a Found."""
    return {
        "doi": look_up_doi,
        "pmid": look_up_pmid,
        "isbn": look_up_isbn,
        "url": look_up_url,
    }[identifier.kind](identifier.value)


@contextmanager
def failures_said(service, *, site=""):
    """A client's failures as LookupFailed, in one sentence naming `service`. For a member's
    own web page, `site` is its host: the request's failures name the site, and a refused
    address is said as the outbound guard says it."""
    asked = f"The site {site}" if site else service
    try:
        yield
    except outbound.FetchTimeout:
        seconds = settings.OUTBOUND_TIMEOUT
        raise LookupFailed(
            f"{asked} did not answer within {seconds} second{pluralize(seconds)}; try again "
            "in a moment, or fill in the form by hand."
        ) from None
    except outbound.BlockedAddress as error:
        raise LookupFailed(
            str(error)
            if site
            else f"{asked} sent the library on to an address it does not fetch from (not a "
            "public http:// or https:// address)."
        ) from None
    except outbound.TooLarge:
        raise LookupFailed(
            f"{asked} sent more than the library reads "
            f"({filesizeformat(settings.OUTBOUND_MAX_BYTES)} at most); fill in the form by hand."
        ) from None
    except outbound.OutboundError:
        raise LookupFailed(
            f"{asked} could not be reached; try again later, or fill in the form by hand."
        ) from None
    except ErrorStatus as error:
        raise LookupFailed(
            f"{service} answered with an error (HTTP {error.status}); try again later, or "
            "fill in the form by hand."
        ) from None
    except UnreadableAnswer:
        raise LookupFailed(
            f"{service} sent an answer the library could not read; fill in the form by hand."
        ) from None


def look_up_doi(doi):
    with failures_said("The DOI resolver"):
        csl = doi_resolver.csl_item(doi)
    if csl is None:
        raise LookupFailed(f"No record was found for the DOI {doi}.")
    return from_csl(csl, doi)


def from_csl(csl, doi):
    """A Found from CSL-JSON as Crossref and DataCite send it."""
    title = first_text(csl.get("title"))
    doi = normalize_doi(str(csl.get("DOI") or doi))
    url = (csl.get("resource") or {}).get("primary", {}).get("URL") or csl.get("URL") or ""
    if not url or DOI_URL.match(url):
        url = f"https://doi.org/{doi}"
    kind = CSL_KINDS.get(str(csl.get("type", "")), Source.Kind.OTHER)
    page_first, page_last = page_range(csl.get("page") or csl.get("article-number"))
    year, month, day = csl_date(csl)
    return Found(
        title=title,
        kind=kind_from_title(title, kind),
        url=url,
        doi=doi,
        contributors=[
            *csl_names(csl.get("author"), names.AUTHOR),
            *csl_names(csl.get("editor"), names.EDITOR),
        ],
        container_title=first_text(csl.get("container-title")),
        volume=first_text(csl.get("volume")),
        issue=first_text(csl.get("issue")),
        page_first=page_first,
        page_last=page_last,
        publisher=first_text(csl.get("publisher")),
        publisher_place=first_text(csl.get("publisher-place")),
        edition=first_text(csl.get("edition")),
        report_number=first_text(csl.get("number")) if kind == Source.Kind.REPORT else "",
        pmid=first_text(csl.get("PMID")),
        pmcid=first_text(csl.get("PMCID")),
        isbn=first_text(csl.get("ISBN")),
        issn=first_text(csl.get("ISSN")),
        year=year,
        issued_month=month,
        issued_day=day,
        language=first_text(csl.get("language")),
        summary=str(csl.get("abstract") or ""),
    )


def first_text(value):
    """A CSL value that may be a string, a number or a list of them, as one string."""
    if isinstance(value, list):
        value = next((item for item in value if isinstance(item, str | int) and item), "")
    return str(value) if isinstance(value, str | int) and not isinstance(value, bool) else ""


def csl_names(people, role):
    """CSL-JSON names (Crossref's carry `sequence` and `affiliation`) as the record's."""
    found = []
    for person in people if isinstance(people, list) else []:
        if not isinstance(person, dict):
            continue
        if person.get("literal") or person.get("name"):
            found.append(
                names.organisation(clean_text(person.get("literal") or person["name"]), role)
            )
        elif person.get("family"):
            name = {"role": role, "family": clean_text(person["family"])}
            for part in ("given", "suffix"):
                if person.get(part):
                    name[part] = clean_text(person[part])
            found.append(name)
    return found


def csl_date(csl):
    """The issued year, month and day (each None when not given)."""
    for key in ("issued", "published", "published-print", "published-online", "created"):
        try:
            parts = [int(part) for part in csl[key]["date-parts"][0][:3]]
        except (KeyError, IndexError, TypeError, ValueError):
            continue
        if parts:
            return (*parts, None, None)[:3]
    return None, None, None


def page_range(value):
    """A service's pages ("106-115", PubMed's "106-15", "k3617") as first and last page."""
    return split_pages(clean_text(first_text(value)))


def look_up_pmid(pmid):
    try:
        with failures_said("PubMed"):
            record = pubmed.summary(pmid)
    except pubmed.QueryRefused as error:
        raise LookupFailed(
            f"PubMed could not answer ({clean_text(str(error))[:200]}); fill in the form by hand."
        ) from None
    if record is None or not record.get("title"):
        raise LookupFailed(f"PubMed has no record with the ID {pmid}.")
    pubtypes = [str(kind) for kind in record.get("pubtype") or []]
    references = [ref for ref in record.get("references") or [] if isinstance(ref, dict)]
    doi = next(
        (
            str(article["value"])
            for article in record.get("articleids") or []
            if isinstance(article, dict) and article.get("idtype") == "doi"
        ),
        "",
    )
    ids = {
        str(article.get("idtype")): str(article.get("value", ""))
        for article in record.get("articleids") or []
        if isinstance(article, dict)
    }
    page_first, page_last = page_range(record.get("pages") or record.get("elocationid"))
    year, month, day = date_parts(record.get("pubdate"), record.get("epubdate"))
    found = Found(
        # PubMed ends every title with a full stop, which the published title does not have.
        title=re.sub(r"(?<!\.)\.$", "", str(record["title"]).strip()),
        kind=next(
            (kind for name, kind in PUBMED_KINDS if name in pubtypes),
            Source.Kind.JOURNAL_ARTICLE,
        ),
        url=f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/",
        doi=normalize_doi(doi) if is_valid_doi(doi) else "",
        contributors=[
            pubmed_name(author)
            for author in record.get("authors") or []
            if isinstance(author, dict) and author.get("name")
        ],
        container_title=str(record.get("fulljournalname") or record.get("source") or ""),
        volume=str(record.get("volume") or ""),
        issue=str(record.get("issue") or ""),
        page_first=page_first,
        page_last=page_last,
        publisher=str(record.get("publishername") or ""),
        publisher_place=str(record.get("publisherlocation") or ""),
        edition=str(record.get("edition") or ""),
        report_number=str(record.get("reportnumber") or ""),
        pmid=pmid,
        pmcid=ids.get("pmc", ""),
        issn=str(record.get("issn") or record.get("essn") or ""),
        year=year,
        issued_month=month,
        issued_day=day,
        language=language_code(record.get("lang")),
    )
    found.retracted = "Retracted Publication" in pubtypes or any(
        ref.get("reftype") == "Retraction in" for ref in references
    )
    if found.retracted:
        found.notes.append(
            "PubMed marks this paper as retracted: read the retraction notice before you "
            "propose it."
        )
    if "Retraction Notice" in pubtypes:
        found.notes.append("This PubMed record is a retraction notice, not the paper itself.")
    return found


def look_up_isbn(isbn):
    with failures_said("Open Library"):
        record = openlibrary.book(isbn)
    if record is None or not record.get("title"):
        raise LookupFailed(
            f"Open Library has no record of the ISBN {isbn}; fill in the book's details by hand."
        )
    title = str(record["title"])
    if record.get("subtitle"):
        title = f"{title}: {record['subtitle']}"

    def first_name(entries):
        return next(
            (
                str(entry.get("name") if isinstance(entry, dict) else entry)
                for entry in entries or []
                if entry
            ),
            "",
        )

    numbers = record.get("identifiers") or {}
    year, month, day = date_parts(record.get("publish_date"))
    return Found(
        title=title,
        kind=Source.Kind.BOOK,
        contributors=[
            names.parse_name(clean_text(entry["name"]))
            for entry in record.get("authors") or []
            if isinstance(entry, dict) and entry.get("name")
        ],
        publisher=first_name(record.get("publishers")),
        publisher_place=first_name(record.get("publish_places")),
        isbn=first_text(numbers.get("isbn_13") or numbers.get("isbn_10")) or isbn,
        year=year,
        issued_month=month,
        issued_day=day,
    )


def look_up_url(url):
    try:
        with failures_said("That page", site=urlsplit(url).hostname or url):
            page = web_pages.page(url)
    except web_pages.NotAWebPage as error:
        raise LookupFailed(
            f"That address serves {error.content_type or 'a file'}, not a web page the "
            "library can read citation details from; fill in the form by hand."
        ) from None
    if page is None:
        raise LookupFailed("That page was not found (HTTP 404); check the address.")
    found = from_page(page)
    if not found.title:
        raise LookupFailed(
            "That page has no title or citation details the library can read; fill in the "
            "form by hand."
        )
    return found


def from_page(page):
    """A Found from a web page's `<meta>` tags (its `<title>` when it has no other)."""
    described = any(
        name.startswith(("citation_", "dc.", "dcterms.", "og:", "prism.")) for name in page.meta
    )
    doi = page.first("citation_doi", "prism.doi")
    if not doi:
        doi = next(
            (
                value
                for value in page.every("dc.identifier", "dcterms.identifier")
                if is_valid_doi(value)
            ),
            "",
        )
    kind = page_kind(page)
    page_first, page_last = page.first("citation_firstpage"), page.first("citation_lastpage")
    if not page_last:
        page_first, page_last = page_range(page_first)
    year, month, day = date_parts(
        page.first(
            "citation_publication_date",
            "citation_date",
            "citation_online_date",
            "citation_year",
            "dc.date",
            "dcterms.issued",
            "dcterms.date",
            "dcterms.created",
            "article:published_time",
        )
    )
    institution = page.first(
        "citation_technical_report_institution", "citation_dissertation_institution"
    )
    found = Found(
        title=page.first("citation_title", "dc.title", "dcterms.title", "og:title") or page.title,
        kind=kind,
        url=page.url,
        doi=normalize_doi(doi) if is_valid_doi(doi) else "",
        contributors=[
            name
            for text in page.every("citation_author", "dc.creator", "dcterms.creator")
            if (name := names.parse_name(clean_text(text)))
        ],
        container_title=page.first(
            "citation_journal_title",
            "citation_book_title",
            "citation_conference_title",
            "prism.publicationname",
        )
        or (page.first("og:site_name") if kind in WEB_KINDS else ""),
        volume=page.first("citation_volume", "prism.volume"),
        issue=page.first("citation_issue", "prism.number"),
        page_first=page_first,
        page_last=page_last,
        publisher=institution
        or page.first("citation_publisher", "dc.publisher", "dcterms.publisher"),
        report_number=page.first("citation_technical_report_number"),
        pmid=page.first("citation_pmid"),
        isbn=page.first("citation_isbn", "prism.isbn"),
        issn=page.first("citation_issn", "citation_eissn", "prism.issn", "prism.eissn"),
        year=year,
        issued_month=month,
        issued_day=day,
        language=language_code(page.first("citation_language", "dc.language")),
        summary=page.first(
            "citation_abstract",
            "dcterms.abstract",
            "dc.description",
            "dcterms.description",
            "og:description",
            "description",
        ),
    )
    found.kind = kind_from_title(found.title, found.kind)
    if found.title and not described:
        found.notes.append("The page gives only its title: fill in the rest yourself.")
    return found


def page_kind(page):
    """The kind of source a web page's tags say it is (a web site when they say nothing)."""
    if page.first("citation_journal_title"):
        return Source.Kind.JOURNAL_ARTICLE
    if page.first("citation_technical_report_institution", "citation_technical_report_number"):
        return Source.Kind.REPORT
    if page.first("citation_book_title", "citation_isbn"):
        return Source.Kind.BOOK
    if page.first("citation_conference_title"):
        return Source.Kind.EVENT
    og_type = page.first("og:type").lower()
    if og_type.startswith("video"):
        return Source.Kind.VIDEO
    if og_type == "book":
        return Source.Kind.BOOK
    return Source.Kind.WEBSITE


# Cleaning what the services send


def clean_text(value):
    """Plain text on one line: markup (JATS, HTML) and entities gone, spaces collapsed."""
    value = re.sub(r"<[^>]*>", " ", str(value))
    return " ".join(html.unescape(value).split())


def shorten(text, length):
    if len(text) <= length:
        return text
    cut = text[: length - 1].rsplit(" ", 1)[0]
    return cut.rstrip(" ,.;:") + "…"


MONTHS = {
    name: number
    for number, month in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
    for name in (month, month + ".")
}
ISO_DATE = re.compile(r"\b(1[89]\d\d|2[01]\d\d)(?:[-/](\d{1,2})(?:[-/](\d{1,2}))?)?\b")
WORDS_DATE = re.compile(r"[A-Za-z]+\.?|\d+")


def date_parts(*values):
    """The year, month and day of the first value that gives a year: "2019-04-22",
    "2019/04/22", "2016 Nov 23", "Apr 22, 2019", "22 April 2019", "2002". Each part is None
    when not given (or not a real date)."""
    for value in values:
        text = clean_text(value or "")
        if not (match := YEAR_PATTERN.search(text)):
            continue
        year, month, day = int(match.group(1)), None, None
        if (iso := ISO_DATE.search(text)) and iso.group(2):
            month = int(iso.group(2))
            day = int(iso.group(3)) if iso.group(3) else None
        else:
            words = WORDS_DATE.findall(text)
            month = next((MONTHS[w[:3].lower()] for w in words if w[:3].lower() in MONTHS), None)
            days = [int(w) for w in words if w.isdigit() and len(w) <= 2]
            day = days[0] if month and days else None
        try:
            date(year, month or 1, day or 1)
        except ValueError:
            month, day = None, None
        return year, month, day
    return None, None, None


# PubMed and web pages give ISO 639-2 codes or names; the record keeps BCP 47 ("en").
LANGUAGES = {
    "eng": "en",
    "english": "en",
    "fre": "fr",
    "fra": "fr",
    "ger": "de",
    "deu": "de",
    "spa": "es",
    "ita": "it",
    "dut": "nl",
    "nld": "nl",
    "por": "pt",
    "chi": "zh",
    "zho": "zh",
    "jpn": "ja",
    "wel": "cy",
    "cym": "cy",
}


def language_code(value):
    text = clean_text(first_text(value)).replace("_", "-")
    return LANGUAGES.get(text.lower(), text)


def pubmed_name(author):
    """PubMed's "Scalfani VF" (family, initials); a collective name is an organisation."""
    text = clean_text(author["name"])
    if str(author.get("authtype", "")).lower() == "collectivename":
        return names.organisation(text)
    return names.parse_name(text)


def kind_from_title(title, kind):
    if kind in (Source.Kind.JOURNAL_ARTICLE, Source.Kind.OTHER) and re.search(
        r"systematic review|meta-analysis", title, re.IGNORECASE
    ):
        return Source.Kind.SYSTEMATIC_REVIEW
    return kind


# What the proposal form calls


def consume_lookup(member):
    """Count one look-up for `member`; False once they have made LOOKUPS_PER_MINUTE this
    minute. The counter lives in the shared cache, so every worker sees it."""
    key = f"lookups:{member.pk}:{int(time.time() // 60)}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=120)
        count = 1
    return count <= settings.LOOKUPS_PER_MINUTE


def fill_in(*, member, text, keep=()):
    """Look `text` up for `member`'s proposal form; never raises, always one clear message.

    Fields named in `keep` (the summary the member already wrote in their own words) are left
    as they are."""
    if not consume_lookup(member):
        return Outcome(
            ok=False,
            rate_limited=True,
            message=(
                f"You have looked up {settings.LOOKUPS_PER_MINUTE} identifiers in the last "
                "minute; wait a minute, then try again."
            ),
        )
    try:
        identifier = identify(text)
        duplicate = live_duplicate(
            doi_key=identifier.value if identifier.kind == "doi" else "",
            url_key=normalize_url(identifier.value) if identifier.kind == "url" else "",
        )
        if duplicate:
            return Outcome(
                ok=False,
                duplicate=duplicate,
                message=f"That {identifier.name} is already in the library or the queue:",
            )
        found = look_up(identifier)
    except LookupFailed as failure:
        return Outcome(ok=False, message=str(failure))
    fields = {name: value for name, value in found.form_fields().items() if name not in keep}
    duplicate = live_duplicate(
        doi_key=fields.get("doi", ""), url_key=normalize_url(fields.get("url", ""))
    )
    filled = list(dict.fromkeys(FIELD_LABELS[name] for name in fields))
    return Outcome(
        ok=True,
        message=f"Filled in from the {identifier.described}: {join_words(filled)}. Check "
        "them, then complete the rest.",
        fields=fields,
        warnings=found.notes,
        duplicate=duplicate,
    )


def join_words(words):
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
