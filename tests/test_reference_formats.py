"""The record in and out of RIS, BibTeX and the page's <meta> tags, for every kind (issue 21)."""

import io
import os
import re
import shutil
import subprocess

import pytest
import rispy
from django.core.management import call_command

from sources.evidence import biblatex, ris
from sources.evidence.citations import bibtex_text, csl_item, ris_text
from sources.models import Source

from .factories import SourceFactory

pytestmark = pytest.mark.django_db
Kind = Source.Kind

CONTRIBUTORS = [
    {"role": "author", "family": "van der Berg", "given": "J.", "suffix": "Jr."},
    {"role": "author", "family": "Dixon-Woods", "given": "Mary"},
    {"role": "author", "literal": "Sustainable Improvement Team, NHS England"},
    {"role": "author", "family": "张", "given": "伟"},
    {"role": "author", "family": "de la Cruz", "given": "María José"},
    {"role": "author", "literal": "Department of Health and Social Care"},
    {"role": "editor", "family": "Berwick", "given": "Donald M."},
]
FULL_RECORD = {
    "title": "Culture & behaviour: 50% of {what} we “know”",
    "contributors": CONTRIBUTORS,
    "container_title": "BMJ Quality & Safety",
    "volume": "23",
    "issue": "2",
    "page_first": "106",
    "page_last": "115",
    "publisher": "The Health Foundation",
    "publisher_place": "London",
    "edition": "2",
    "report_number": "RR_12",
    "doi": "10.1136/bmjqs-2013-001947",
    "pmid": "23955999",
    "pmcid": "PMC3913224",
    "isbn": "9781906461386",
    "issn": "2044-5415",
    "year": 2014,
    "issued_month": 2,
    "issued_day": 3,
    "language": "en-GB",
    "url": "https://example.org/culture?page=1&view=full",
}
RECORD_FIELDS = (*FULL_RECORD, "kind")
REPORT_KINDS = {Kind.REPORT, Kind.EVALUATION, Kind.CASE_STUDY, Kind.METHODOLOGY}
WEB_KINDS = {Kind.PROGRAMME, Kind.WEBSITE, Kind.BLOG_POST, Kind.VIDEO}
# The record's fields each biblatex entry type holds (biber's data model): the rest stay out.
DATES = ("year", "issued_month", "issued_day")
EVERY_TYPE = ("title", "kind", "contributors", "doi", "pmid", "language", "url", *DATES)
BIBLATEX_HOLDS = {
    "article": (
        *EVERY_TYPE,
        "container_title",
        "volume",
        "issue",
        "page_first",
        "page_last",
        "issn",
    ),
    "book": (
        *EVERY_TYPE,
        "container_title",
        "volume",
        "edition",
        "publisher",
        "publisher_place",
        "isbn",
        "page_first",
        "page_last",
    ),
    "report": (
        *EVERY_TYPE,
        "publisher",
        "report_number",
        "publisher_place",
        "page_first",
        "page_last",
    ),
    "online": (*EVERY_TYPE, "publisher"),
    "misc": (*EVERY_TYPE, "container_title", "publisher", "publisher_place"),
}


def full_source(kind, slug=None, **fields):
    """A source of the kind with every field of the record filled (its address and DOI its own,
    as the library holds each once)."""
    name = kind.replace("_", "-")
    record = {
        **FULL_RECORD,
        "url": f"{FULL_RECORD['url']}&kind={name}",
        "doi": f"{FULL_RECORD['doi']}.{name}",
        **fields,
    }
    return SourceFactory(kind=kind, slug=slug or f"full-{name}", **record)


def record_of(source, fields):
    return {field: getattr(source, field) or None for field in fields}


def read_back(read, fields):
    return {field: read.fields.get(field) or None for field in fields}


@pytest.mark.parametrize("kind", Kind.values)
def test_every_field_of_every_kind_survives_ris(kind):
    source = full_source(kind)

    [data] = rispy.loads(ris_text([source]))
    read = ris.record_from_ris(data)

    assert read_back(read, RECORD_FIELDS) == record_of(source, RECORD_FIELDS)
    assert read.dropped == []


@pytest.mark.parametrize("kind", Kind.values)
def test_every_field_its_biblatex_type_holds_survives_bibtex(kind):
    source = full_source(kind, et_al=True)
    entry_type = "report" if kind in REPORT_KINDS else biblatex.kind_format(kind).biblatex

    [read] = biblatex.parse_entries(bibtex_text([source]))

    held = BIBLATEX_HOLDS[entry_type]
    expected = record_of(source, held)
    if entry_type == "report":  # biblatex's @report takes no editor
        expected["contributors"] = [n for n in CONTRIBUTORS if n["role"] == "author"]
    if entry_type != "article":  # one eprint: the PMID; the PMCID stays out beside it
        assert "pmcid" not in read.fields
    assert read_back(read, held) == expected
    assert read.fields["et_al"] is True
    assert read.dropped == []


def test_a_pmcid_without_a_pmid_is_the_bibtex_eprint():
    source = full_source(Kind.JOURNAL_ARTICLE, pmid="")

    [read] = biblatex.parse_entries(bibtex_text([source]))

    assert read.fields["pmcid"] == "PMC3913224"
    assert "pmid" not in read.fields


def test_an_organisation_is_one_author_in_ris_and_bibtex():
    source = full_source(Kind.WEBSITE)

    ris_file = ris_text([source])
    bib_file = bibtex_text([source])

    assert "AU  - Sustainable Improvement Team, NHS England,\n" in ris_file
    assert "{Sustainable Improvement Team, NHS England}" in bib_file
    assert "{Department of Health and Social Care}" in bib_file
    for read in (ris.record_from_ris(rispy.loads(ris_file)[0]), *biblatex.parse_entries(bib_file)):
        assert {"role": "author", "literal": "Sustainable Improvement Team, NHS England"} in (
            read.fields["contributors"]
        )


def test_names_written_by_other_programs_are_read_as_people_or_bodies():
    data = rispy.loads(
        "TY  - JOUR\nTI  - A\nAU  - Donald M. Berwick\nAU  - Batalden P\nAU  - NHS England\n"
        "AU  - King, Martin Luther, Jr.\nA2  - Ludwig van Beethoven\nER  - \n"
    )[0]

    names = ris.record_from_ris(data).fields["contributors"]

    assert names == [
        {"role": "author", "family": "Berwick", "given": "Donald M."},
        {"role": "author", "family": "Batalden", "given": "P."},
        {"role": "author", "literal": "NHS England"},
        {"role": "author", "family": "King", "given": "Martin Luther", "suffix": "Jr."},
        {"role": "editor", "family": "van Beethoven", "given": "Ludwig"},
    ]


def test_what_the_record_cannot_hold_is_named_not_lost():
    ris_data = rispy.loads(
        "TY  - JOUR\nTI  - A\nLA  - English\nN1  - Read twice\nSN  - 12\nM1  - 7\nER  - \n"
    )[0]
    bib = (
        "@article{a, title={A}, author={Smith, J.}, journaltitle={J}, langid={english},"
        " note={Read twice}, eprint={2101.00001}, eprinttype={arxiv}}"
    )

    from_ris = ris.record_from_ris(ris_data)
    [from_bib] = biblatex.parse_entries(bib)

    assert "language" not in from_ris.fields and "language" not in from_bib.fields
    assert from_ris.fields["report_number"] == "7"
    assert from_ris.dropped == [
        "SN “12” (neither an ISBN nor an ISSN)",
        "LA “English” (not a language code such as en-GB)",
        "N1 (notes)",
    ]
    assert from_bib.dropped == [
        "eprint “2101.00001” (arxiv)",
        "language “english” (not a language code such as en-GB)",
        "note",
    ]
    assert from_bib.fields["container_title"] == "J"


def test_bibtex_text_escapes_latex_and_keeps_braces_balanced():
    source = full_source(Kind.BOOK, title="A } title {with} \\ odd_chars # ~ ^ $")

    text = bibtex_text([source])
    [read] = biblatex.parse_entries(text)

    assert "title = {A \\} title \\{with\\} \\textbackslash{} odd\\_chars \\# " in text
    assert read.fields["title"] == "A } title {with} \\ odd_chars # ~ ^ $"


# -- biber's data-model check --------------------------------------------------------------------


def _biber():
    path = shutil.which("biber")
    if path:
        return path
    message = "biber is not installed (Debian package biber): the data-model check cannot run"
    if os.environ.get("REQUIRE_BROWSER") == "1" or os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def test_biber_finds_nothing_wrong_in_the_whole_librarys_bibtex(client, tmp_path):
    biber = _biber()
    call_command("seed_library", stdout=io.StringIO())
    for kind in Kind.values:
        full_source(kind, et_al=True)
    undated = full_source(
        Kind.WEBSITE,
        slug="undated",
        year=None,
        issued_month=None,
        issued_day=None,
        url="",
        doi="",
        pmid="",
        pmcid="",
    )

    response = client.get("/sources/export/bibtex/")
    text = b"".join(response.streaming_content).decode()
    (tmp_path / "library.bib").write_text(text, encoding="utf-8")
    run = subprocess.run(  # noqa: S603 (biber found on the PATH, a file of our own)
        [biber, "--tool", "--validate-datamodel", "library.bib"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    output = run.stdout + run.stderr
    problems = [line for line in output.splitlines() if re.match(r"(WARN|ERROR)", line)]
    assert problems == [], "\n".join(problems)
    assert run.returncode == 0
    assert text.count("\n@") + 1 == Source.objects.approved().count()
    assert f"@misc{{{undated.slug}," in text  # a web page with no address is not @online
    assert "date = {XXXX}" in text


# -- The page's <meta> tags, read as Zotero's Embedded Metadata translator reads them -----------

META = re.compile(r'<meta (?:name|property)="([^"]+)" content="([^"]*)">')
ZOTERO_TYPES = {
    "journalArticle",
    "book",
    "bookSection",
    "report",
    "webpage",
    "blogPost",
    "videoRecording",
    "presentation",
    "document",
    "conferencePaper",
    "thesis",
}
OG_ITEM_TYPES = {"video.other": "videoRecording", "book": "book", "website": "webpage"}


def zotero_item_type(tags):
    """The item type the translator picks: a Highwire type first, then its RDF rules (og:type,
    then DC.type), then its guesses."""
    highwire = guess = None
    for name, _ in tags:
        if name == "citation_journal_title":
            highwire = "journalArticle"
        elif name == "citation_technical_report_institution":
            highwire = "report"
        elif name in ("citation_conference_title", "citation_conference"):
            highwire = "conferencePaper"
        elif name in ("citation_title", "citation_series_title"):
            guess = guess or "journalArticle"
        elif name == "citation_isbn":
            guess = "book"
    values = dict(tags)
    dc_type = values.get("DC.type") if values.get("DC.type") in ZOTERO_TYPES else None
    return highwire or OG_ITEM_TYPES.get(values.get("og:type")) or dc_type or guess


def _clean_author(author, use_comma):
    """Zotero's cleanAuthor(): (last name, first name)."""
    author = re.sub(r"^[\s\u00a0.,/\[\]:]+", "", author)
    author = re.sub(r"[\s\u00a0.,/\[\]:]+$", "", author)
    if use_comma:
        parts = re.split(r", ?", author)
        return parts[0], parts[1] if len(parts) > 1 else ""
    space = author.rfind(" ")
    return author[space + 1 :], author[:space] if space > 0 else ""


def zotero_creators(values):
    """The translator's processHighwireCreators() for the citation_author contents."""
    creators = []
    for value in values:
        parts = re.split(r"\s*;\s*", value)
        if len(parts) == 1 and len(values) == 1:
            by_comma = re.split(r"\s*,\s*", parts[0])
            if len(by_comma) > 1 and " " in by_comma[0] and " " in by_comma[1]:
                parts = by_comma
        for part in parts:
            part = part.strip()
            if part and re.search(r"[^\s,\-.;]", part):
                creators.append(_clean_author(part, "," in part))
    return creators


def page_tags(client, source):
    return META.findall(client.get(source.get_absolute_url()).content.decode())


def test_a_website_is_saved_as_a_web_page_by_a_body_kept_whole(client):
    source = SourceFactory(
        kind=Kind.WEBSITE,
        contributors=[{"role": "author", "literal": "The Health Foundation"}],
        publisher="",
        container_title="Q community",
    )

    tags = page_tags(client, source)

    assert zotero_item_type(tags) == "webpage"
    assert ("og:type", "website") in tags and ("DC.type", "webpage") in tags
    assert ("DC.source", "Q community") in tags
    authors = [content for name, content in tags if name == "citation_author"]
    assert zotero_creators(authors) == [("The Health Foundation", "")]
    assert not {name for name, _ in tags} & {"citation_journal_title", "citation_isbn"}


def test_an_organisation_with_a_comma_stays_one_creator(client):
    source = SourceFactory(
        kind=Kind.PROGRAMME,
        contributors=[{"role": "author", "literal": "Sustainable Improvement Team, NHS England"}],
    )

    authors = [content for name, content in page_tags(client, source) if name == "citation_author"]

    assert zotero_creators(authors) == [("Sustainable Improvement Team", "NHS England")]
    # Written as it reads, the translator would make two people of it.
    assert len(zotero_creators(["Sustainable Improvement Team, NHS England"])) == 2


def test_a_blog_post_is_saved_as_a_blog_post(client):
    source = SourceFactory(
        kind=Kind.BLOG_POST,
        contributors=[{"role": "author", "family": "Heimans", "given": "Jeremy"}],
        container_title="The Q blog",
        year=2019,
        issued_month=3,
        issued_day=2,
    )

    tags = page_tags(client, source)

    assert zotero_item_type(tags) == "blogPost"
    assert ("og:type", "article") in tags and ("DC.type", "blogPost") in tags
    assert ("citation_publication_date", "2019/03/02") in tags and ("DC.date", "2019-03-02") in tags
    assert zotero_creators([c for n, c in tags if n == "citation_author"]) == [
        ("Heimans", "Jeremy")
    ]


def test_a_book_is_saved_as_a_book_with_its_isbn_and_publisher(client):
    source = SourceFactory(
        kind=Kind.BOOK, publisher="Doubleday", isbn="9780385541114", publisher_place="New York"
    )

    tags = page_tags(client, source)

    assert zotero_item_type(tags) == "book"
    assert ("citation_isbn", "978-0-385-54111-4") in tags
    assert ("citation_publisher", "Doubleday") in tags and ("og:type", "book") in tags


def test_a_report_is_saved_as_a_report_with_its_institution_and_number(client):
    source = SourceFactory(
        kind=Kind.EVALUATION,
        publisher="The Health Foundation",
        report_number="12",
        isbn="9781906461386",
        language="en-GB",
    )

    tags = page_tags(client, source)

    assert zotero_item_type(tags) == "report"
    assert ("citation_technical_report_institution", "The Health Foundation") in tags
    assert ("citation_technical_report_number", "12") in tags
    assert ("citation_isbn", "978-1-906461-38-6") in tags
    assert ("citation_language", "en-GB") in tags and ("DC.language", "en-GB") in tags


def test_an_article_is_saved_as_a_journal_article_with_its_journal_details(client):
    source = full_source(Kind.JOURNAL_ARTICLE, page_first="k3617", page_last="")

    tags = page_tags(client, source)

    assert zotero_item_type(tags) == "journalArticle"
    for expected in [
        ("citation_journal_title", "BMJ Quality &amp; Safety"),
        ("citation_volume", "23"),
        ("citation_issue", "2"),
        ("citation_firstpage", "k3617"),
        ("citation_issn", "2044-5415"),
        ("citation_pmid", "23955999"),
        ("citation_doi", "10.1136/bmjqs-2013-001947.journal-article"),
        ("citation_publication_date", "2014/02/03"),
        ("citation_editor", "Berwick, Donald M."),
        ("DC.type", "journalArticle"),
    ]:
        assert expected in tags
    assert "citation_lastpage" not in dict(tags)
    assert "citation_technical_report_institution" not in dict(tags)


def test_the_csl_json_carries_the_whole_record_and_no_printed_label():
    source = full_source(Kind.JOURNAL_ARTICLE)

    item = csl_item(source)

    assert "genre" not in item
    assert item["author"][0] == {"family": "van der Berg", "given": "J.", "suffix": "Jr."}
    assert item["author"][2] == {"literal": "Sustainable Improvement Team, NHS England"}
    assert item["editor"] == [{"family": "Berwick", "given": "Donald M."}]
    assert {key: item[key] for key in ("container-title", "volume", "issue", "page")} == {
        "container-title": "BMJ Quality & Safety",
        "volume": "23",
        "issue": "2",
        "page": "106-115",
    }
    assert item["issued"] == {"date-parts": [[2014, 2, 3]]}
    assert (item["PMID"], item["PMCID"], item["ISSN"], item["ISBN"]) == (
        "23955999",
        "PMC3913224",
        "2044-5415",
        "978-1-906461-38-6",
    )
    assert (item["publisher-place"], item["edition"], item["number"], item["language"]) == (
        "London",
        "2",
        "RR_12",
        "en-GB",
    )
    assert "accessed" not in item  # a journal article is not cited with a day it was seen
