"""Citations on source pages, reference-manager files for one source and for every listing."""

import datetime
import io
import json
import re
from html import escape

import pytest
import rispy
import time_machine
from citeproc import (
    Citation,
    CitationItem,
    CitationStylesBibliography,
    formatter,
)
from citeproc.source.json import CiteProcJSON
from django.core.management import call_command

from sources.evidence import biblatex, ris
from sources.evidence.citations import STYLES, as_plain_text, format_citation, parse_bibtex, style
from sources.models import LinkHealth, Source

from .factories import ProposalFactory, SourceFactory, UserFactory

pytestmark = pytest.mark.django_db

KIND_BY_LABEL = {label: value for value, label in Source.Kind.choices}


@pytest.fixture
def starter(db):
    call_command("seed_library", stdout=io.StringIO())
    return list(Source.objects.order_by("slug"))


def download(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    content = response.streaming_content if response.streaming else [response.content]
    return response, b"".join(content).decode()


# The record's fields a reference file carries (`authors` is derived from `contributors`).
RECORD_FIELDS = (
    "title",
    "kind",
    "contributors",
    "container_title",
    "volume",
    "issue",
    "page_first",
    "page_last",
    "publisher",
    "publisher_place",
    "edition",
    "report_number",
    "doi",
    "pmid",
    "pmcid",
    "isbn",
    "issn",
    "year",
    "issued_month",
    "issued_day",
    "language",
    "url",
)


def record_of(source, fields=RECORD_FIELDS):
    return {field: getattr(source, field) or None for field in fields}


def read_back(fields, names=RECORD_FIELDS):
    return {field: fields.get(field) or None for field in names}


def test_every_starter_source_survives_a_ris_round_trip(client, starter):
    for source in starter:
        response, text = download(client, f"/sources/{source.slug}/export/ris/")

        assert response["Content-Type"] == "application/x-research-info-systems; charset=utf-8"
        assert response["Content-Disposition"] == f'attachment; filename="{source.slug}.ris"'
        [data] = rispy.loads(text)
        read = ris.record_from_ris(data)
        assert read_back(read.fields) == record_of(source), source.slug
        assert read.dropped == []


def test_every_starter_source_survives_a_bibtex_round_trip(client, starter):
    for source in starter:
        response, text = download(client, f"/sources/{source.slug}/export/bibtex/")

        assert response["Content-Type"] == "application/x-bibtex; charset=utf-8"
        assert response["Content-Disposition"] == f'attachment; filename="{source.slug}.bib"'
        [read] = biblatex.parse_entries(text)
        # biblatex's @report holds no ISBN: a report's ISBN stays out of its BibTeX.
        held = [f for f in RECORD_FIELDS if not (f == "isbn" and source.kind in REPORT_KINDS)]
        assert read_back(read.fields, held) == record_of(source, held), source.slug
        assert read.fields["et_al"] == source.et_al
        assert read.dropped == []


REPORT_KINDS = {
    Source.Kind.REPORT,
    Source.Kind.EVALUATION,
    Source.Kind.CASE_STUDY,
    Source.Kind.METHODOLOGY,
}


def test_each_page_citation_is_citeprocs_rendering_of_the_exported_csl_json(client, starter):
    for source in starter:
        response, text = download(client, f"/sources/{source.slug}/export/csl-json/")
        assert response["Content-Type"] == "application/vnd.citationstyles.csl+json; charset=utf-8"
        assert response["Content-Disposition"] == f'attachment; filename="{source.slug}.json"'
        [item] = json.loads(text)
        assert "genre" not in item
        page = client.get(source.get_absolute_url()).content.decode()

        for key in STYLES:
            shown = re.search(rf'<p class="citation" id="citation-{key}">(.*?)</p>', page)
            bibliography = CitationStylesBibliography(
                style(key), CiteProcJSON([item]), formatter.plain
            )
            bibliography.register(Citation([CitationItem(item["id"])]))
            plain = re.sub(r"^\d+\.\s*", "", str(bibliography.bibliography()[0]))
            # What the copy button copies (the paragraph's text) is citeproc's plain text.
            assert as_plain_text(shown.group(1)) == " ".join(plain.split()), (source.slug, key)
            assert shown.group(1) == str(format_citation(item, key)), (source.slug, key)


def test_starter_journal_articles_cite_their_journal_volume_issue_and_pages(client, starter):
    page = client.get("/sources/culture-and-behaviour-in-the-english-nhs/").content.decode()
    apa = re.search(r'<p class="citation" id="citation-apa">(.*?)</p>', page).group(1)
    harvard = re.search(r'<p class="citation" id="citation-harvard">(.*?)</p>', page).group(1)

    assert "(2014). Culture and behaviour in the English National Health Service" in apa
    assert "<i>BMJ Quality &amp; Safety</i>, <i>23</i>(2), 106–115." in apa
    assert "<i>Culture" not in apa  # an article's title is not italic
    assert "‘Culture and behaviour in the English National Health Service" in harvard
    assert "<i>BMJ Quality &amp; Safety</i>, 23(2), pp. 106–115." in harvard

    articles = Source.objects.filter(
        kind__in=[Source.Kind.JOURNAL_ARTICLE, Source.Kind.SYSTEMATIC_REVIEW]
    )
    assert articles.count() == 4
    for article in articles:
        page = client.get(article.get_absolute_url()).content.decode()
        apa = re.search(r'<p class="citation" id="citation-apa">(.*?)</p>', page).group(1)
        journal = escape(article.container_title)
        assert f"<i>{journal}</i>, <i>{article.volume}</i>" in apa, article.slug
        assert (f"({article.issue})" in apa) == bool(article.issue), article.slug
        assert article.pages in apa and f"<i>{escape(article.title)}" not in apa, article.slug

    page = client.get("/sources/getting-more-health-from-healthcare/").content.decode()
    assert (
        '<p class="citation" id="citation-apa">Batalden, P. (2018). Getting more health from '
        "healthcare: quality improvement must acknowledge patient coproduction. <i>The BMJ</i>, "
        "<i>362</i>, k3617. https://doi.org/10.1136/bmj.k3617</p>"
    ) in page
    assert "Batalden P. Getting more health from healthcare" in page
    assert "The BMJ. 2018" in page and ";362:k3617. doi:10.1136/bmj.k3617" in page
    for label in ("APA", "Vancouver", "Harvard"):
        assert f'data-copy-label="Copy citation ({label})"' in page
    assert 'href="/sources/getting-more-health-from-healthcare/export/ris/"' in page
    assert 'href="/sources/getting-more-health-from-healthcare/export/bibtex/"' in page
    assert 'href="/sources/getting-more-health-from-healthcare/export/csl-json/"' in page


@time_machine.travel("2026-12-20 12:00:00+00:00", tick=False)
def test_web_sources_are_cited_with_the_day_the_link_check_last_saw_them(client):
    website = SourceFactory(
        slug="networks-site",
        title="Networks hub",
        kind=Source.Kind.WEBSITE,
        contributors=[{"role": "author", "literal": "NHS England"}],
        year=None,
        url="https://networks.example.org/",
    )
    LinkHealth.objects.create(
        source=website,
        checked_url=website.url,
        checked_at=datetime.datetime(2026, 12, 6, 9, tzinfo=datetime.UTC),
        answered_at=datetime.datetime(2026, 12, 6, 9, tzinfo=datetime.UTC),
        outcome=LinkHealth.Outcome.OK,
        status_code=200,
    )
    report = SourceFactory(slug="plain-report", kind=Source.Kind.REPORT)

    page = client.get(website.get_absolute_url()).content.decode()
    other = client.get(report.get_absolute_url()).content.decode()

    assert "Retrieved December 6, 2026, from https://networks.example.org/" in page
    assert "(Accessed: 6 December 2026)" in page  # Harvard in en-GB
    assert "[cited 2026 Dec 6]" in page
    assert "20 December" not in page and "Dec 20" not in page
    assert "Retrieved" not in other and "Accessed:" not in other
    _, text = download(client, f"/sources/{website.slug}/export/ris/")
    assert rispy.loads(text)[0]["access_date"] == "2026/12/06"
    _, text = download(client, f"/sources/{website.slug}/export/csl-json/")
    assert json.loads(text)[0]["accessed"] == {"date-parts": [[2026, 12, 6]]}


def test_citations_and_meta_tags_never_carry_markup_from_the_source(client):
    source = SourceFactory(
        title='<script>alert("x")</script> & more',
        authors="<b>Bold</b> Author",
        doi="10.1000/<i>",
    )

    page = client.get(source.get_absolute_url()).content.decode()

    assert "<script>alert" not in page
    assert "<b>Bold" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more" in page


def test_source_page_carries_highwire_and_dublin_core_metadata(client, starter):
    page = client.get("/sources/engaging-patients-to-improve-quality-of-care/").content.decode()

    assert (
        '<meta name="citation_title" content="Engaging patients to improve quality of care: a '
        'systematic review">'
    ) in page
    source = Source.objects.get(slug="engaging-patients-to-improve-quality-of-care")
    assert page.count('<meta name="citation_author"') == len(source.contributors)
    assert '<meta name="citation_publication_date" content="2018">' in page
    assert '<meta name="citation_doi" content="10.1186/s13012-018-0784-z">' in page
    assert '<meta name="DC.identifier" content="doi:10.1186/s13012-018-0784-z">' in page
    assert '<meta name="DC.creator" content="Bombard, Y.">' in page
    assert '<meta name="citation_journal_title" content="Implementation Science">' in page
    assert '<meta name="DC.type" content="journalArticle">' in page


def test_a_proposal_is_exported_only_to_those_who_may_see_it(client, member):
    proposal = ProposalFactory(proposer=UserFactory(), slug="open-idea")

    assert client.get("/sources/open-idea/export/ris/").status_code == 404
    client.force_login(member)
    _, text = download(client, "/sources/open-idea/export/ris/")
    assert rispy.loads(text)[0]["title"] == proposal.title


def test_an_unknown_export_format_is_not_found(client):
    SourceFactory(slug="known")

    assert client.get("/sources/known/export/docx/").status_code == 404
    assert client.get("/sources/export/docx/").status_code == 404


def test_browse_export_holds_every_result_of_the_filtered_search(client, starter):
    response, text = download(client, "/sources/export/ris/?kind=book&page=2")

    assert response["Content-Disposition"] == 'attachment; filename="q-library.ris"'
    records = rispy.loads(text)
    assert {record["id"] for record in records} == set(
        Source.objects.filter(kind=Source.Kind.BOOK).values_list("slug", flat=True)
    )
    _, text = download(client, "/sources/export/csl-json/?q=franchising")
    assert [item["id"] for item in json.loads(text)] == ["social-franchising-and-licensing"]


def test_browse_export_of_the_whole_library_holds_every_source(client, starter):
    _, text = download(client, "/sources/export/bibtex/")

    library = parse_bibtex(text)
    assert not library.failed_blocks
    assert {entry.key for entry in library.entries} == {source.slug for source in starter}


def test_theme_and_tag_exports_keep_their_scope_and_filters(client, starter):
    _, text = download(client, "/themes/aligning-action/export/csl-json/?stance=refines")
    assert [item["id"] for item in json.loads(text)] == ["visit-to-healthcare-improvement-scotland"]

    response, text = download(client, "/themes/peer-networks/export/ris/?kind=website")
    assert response["Content-Disposition"] == 'attachment; filename="q-library-peer-networks.ris"'
    assert [record["id"] for record in rispy.loads(text)] == ["source4networks"]

    response, text = download(client, "/tags/spread/export/ris/?kind=book")
    assert response["Content-Disposition"] == 'attachment; filename="q-library-tag-spread.ris"'
    assert [record["id"] for record in rispy.loads(text)] == [
        "implementing-evidence-based-medicine"
    ]


def test_an_empty_listing_exports_an_empty_file(client, themes):
    _, text = download(client, f"/themes/{themes[0].slug}/export/csl-json/")

    assert json.loads(text) == []


def test_listing_pages_link_to_their_exports_with_their_query_kept(client, starter):
    browse = client.get("/sources/?kind=report&sort=title").content.decode()
    theme = client.get("/themes/peer-networks/?kind=report").content.decode()
    tag = client.get("/tags/spread/").content.decode()

    assert 'href="/sources/export/ris/?kind=report&amp;sort=title"' in browse
    assert 'href="/sources/export/csl-json/?kind=report&amp;sort=title"' in browse
    assert 'href="/themes/peer-networks/export/bibtex/?kind=report"' in theme
    assert 'href="/tags/spread/export/ris/"' in tag


@pytest.mark.parametrize("format", ["ris", "bibtex", "csl-json"])
@pytest.mark.parametrize("count", [1, 40])
def test_listing_export_costs_the_same_queries_for_one_or_many(
    client, assert_db_queries, themes, format, count
):
    for number in range(count):
        SourceFactory(themes=themes[:1], tags=["shared", f"topic-{number}"])

    with assert_db_queries(LISTING_EXPORT_QUERIES):
        _, text = download(client, f"/sources/export/{format}/")

    assert text.count("Evidence report number") == count


@pytest.mark.parametrize("format", ["ris", "bibtex", "csl-json"])
def test_a_source_export_costs_two_queries(client, assert_db_queries, format):
    source = SourceFactory(tags=["spread", "networks", "scale"])

    with assert_db_queries(2):  # the source, its tags
        _, text = download(client, f"/sources/{source.slug}/export/{format}/")

    assert "networks" in text


# The library's key and the filter options worked out under it (the cache's own reads and writes
# are not counted), then the sources and their tags: one chunk of each.
LISTING_EXPORT_QUERIES = 7
