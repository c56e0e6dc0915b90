"""Filling the proposal form from a DOI, a PubMed ID, an ISBN or a web address
(sources/evidence/lookup.py and the proposal form), against recorded answers of the services served
on 127.0.0.1."""

import json
import time
from pathlib import Path

import pytest
from werkzeug import Response

from sources.evidence import lookup
from sources.evidence.lookup import LookupFailed, identify
from sources.models import Source

from .factories import ProposalFactory, SourceFactory, proposal_form_data

DATA = Path(__file__).parent / "data" / "outside"
CSL = "application/vnd.citationstyles.csl+json"
SCIENCE_DOI = "10.1126/science.169.3946.635"


def recorded(name):
    return (DATA / name).read_text()


def serve_doi(server, doi, body, *, content_type="application/json", status=200):
    """The DOI resolver's 302 to the registration agency, and the agency's answer."""
    agency_path = f"/agency/works/{doi}/transform"
    server.expect_request(f"/doi/{doi}", headers={"Accept": CSL}).respond_with_data(
        recorded("doi-redirect-302.html"),
        status=302,
        content_type="text/html;charset=utf-8",
        headers={"Location": server.url_for(agency_path), "Vary": "Origin, Accept"},
    )
    server.expect_request(agency_path, headers={"Accept": CSL}).respond_with_data(
        body, status=status, content_type=content_type
    )


def serve_pubmed(server, pmid, body):
    server.expect_request(
        "/eutils/esummary.fcgi",
        query_string={"db": "pubmed", "id": pmid, "retmode": "json", "tool": "qlibrary"},
    ).respond_with_data(body, content_type="application/json")


def serve_page(server, path, body, content_type="text/html; charset=utf-8", status=200):
    server.expect_request(path).respond_with_data(body, status=status, content_type=content_type)
    return server.url_for(path)


def fail(text):
    with pytest.raises(LookupFailed) as failure:
        lookup.look_up(identify(text))
    return str(failure.value)


def one_sentence(message):
    return message.count(". ") == 0 and message.endswith((".", ":"))


# What the member pasted


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("10.1136/bmj.k3617", "doi", "10.1136/bmj.k3617"),
        ("doi:10.1136/BMJ.K3617", "doi", "10.1136/bmj.k3617"),
        (" https://doi.org/10.1136/bmj.k3617 ", "doi", "10.1136/bmj.k3617"),
        ("http://dx.doi.org/10.1186/s13012-018-0784-z", "doi", "10.1186/s13012-018-0784-z"),
        ("https://doi.org/10.1186%2Fs13012-018-0784-z", "doi", "10.1186/s13012-018-0784-z"),
        ("27933103", "pmid", "27933103"),
        ("PMID: 27933103", "pmid", "27933103"),
        ("https://pubmed.ncbi.nlm.nih.gov/27933103/", "pmid", "27933103"),
        ("978-0-306-40615-7", "isbn", "9780306406157"),
        ("ISBN 0-306-40615-2", "isbn", "0306406152"),
        ("0-8044-2957-X", "isbn", "080442957X"),
        ("9782070427796", "isbn", "9782070427796"),
        ("https://www.health.org.uk/publications/a-report", "url", None),
        ("www.example.org/report", "url", "https://www.example.org/report"),
    ],
)
def test_identifiers_are_recognised_in_their_common_forms(text, kind, value):
    identifier = identify(text)

    assert identifier.kind == kind
    assert identifier.value == (value or text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("978-0-306-40615-8", "The ISBN 9780306406158 is not valid (its check digit is wrong)"),
        ("0-306-40615-3", "The ISBN 0306406153 is not valid (its check digit is wrong)"),
        ("123-456-789-012-3", "That is not a valid ISBN"),
        ("10.12/abc", "That does not look like a DOI"),
        ("ftp://example.org/report.pdf", "Only web addresses starting with http:// or https://"),
        ("javascript:alert(1)", "Only web addresses starting with http:// or https://"),
        ("file:///etc/passwd", "Only web addresses starting with http:// or https://"),
        ("the report on spread", "That is not a DOI, a PubMed ID, an ISBN or a web address"),
        ("   ", "Paste a DOI, a PubMed ID, an ISBN or a web address first."),
    ],
)
def test_what_cannot_be_looked_up_is_refused_in_one_sentence(text, message):
    with pytest.raises(LookupFailed) as failure:
        identify(text)

    assert str(failure.value).startswith(message)
    assert one_sentence(str(failure.value))


def test_markup_in_an_answer_stays_text_on_the_form(outside, login, member):
    url = serve_page(
        outside,
        "/sly",
        """<html><head>
        <meta name="citation_title" content="&lt;script&gt;alert(1)&lt;/script&gt;Title">
        <meta name="citation_author" content="&lt;img src=x onerror=alert(2)&gt;">
        <meta name="citation_public_url" content="javascript:alert(3)">
        </head></html>""",
    )

    response = login(member).post("/sources/propose/", {"identifier": url, "fill": "1"})

    page = response.content.decode()
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert response.context["form"].initial["title"] == "alert(1) Title"
    assert "javascript:alert(3)" not in page


def test_an_address_that_is_not_a_web_address_is_not_filled():
    found = lookup.Found(title="A record", url="javascript:alert(1)")

    assert found.form_fields() == {"title": "A record"}


# DOIs


def test_a_crossref_doi_fills_every_field_it_knows(outside):
    serve_doi(outside, SCIENCE_DOI, recorded("doi-csl-json.json"))

    fields = lookup.look_up(identify(f"https://doi.org/{SCIENCE_DOI}")).form_fields()

    assert fields == {
        "title": "The Structure of Ordinary Water",
        "kind": Source.Kind.JOURNAL_ARTICLE,
        "url": "https://www.science.org/doi/10.1126/science.169.3946.635",
        "doi": SCIENCE_DOI,
        "contributors": "Frank, Henry S.",
        "container_title": "Science",
        "volume": "169",
        "issue": "3946",
        "page_first": "635",
        "page_last": "641",
        "publisher": "American Association for the Advancement of Science (AAAS)",
        "issn": "0036-8075",
        "year": 1970,
        "issued_month": 8,
        "issued_day": 14,
        "language": "en",
        "summary": fields["summary"],
    }
    assert fields["summary"].startswith("The train of thought pursued in this article")
    assert "<jats:p>" not in fields["summary"]
    assert len(fields["summary"]) <= 2000


def test_a_datacite_doi_fills_too(outside):
    serve_doi(outside, "10.6084/m9.figshare.4724797", recorded("doi-csl-json-datacite.json"))

    fields = lookup.look_up(identify("10.6084/m9.figshare.4724797")).form_fields()

    assert fields["title"] == (
        "The hetnet awakens: understanding complex diseases through data integration and "
        "open science"
    )
    assert fields["contributors"] == "Himmelstein, Daniel"
    assert fields["year"] == 2017
    assert fields["publisher"] == "Figshare"
    assert fields["url"] == "https://doi.org/10.6084/m9.figshare.4724797"
    assert fields["kind"] == Source.Kind.JOURNAL_ARTICLE
    assert "<b>" not in fields["summary"] and "&amp;" not in fields["summary"]


def test_a_current_datacite_answer_with_an_upper_case_doi_fills(outside):
    serve_doi(outside, "10.5281/zenodo.3233986", recorded("doi-csl-json-datacite-current.json"))

    fields = lookup.look_up(identify("10.5281/zenodo.3233986")).form_fields()

    assert fields["doi"] == "10.5281/zenodo.3233986"
    assert fields["title"] == "The Turing Way: A Handbook for Reproducible Data Science"
    assert fields["contributors"].startswith(
        "Community, The Turing Way\nArnold, Becky\nBowler, Louise"
    )
    assert fields["url"] == "https://zenodo.org/record/3233986"
    assert fields["year"] == 2019
    assert fields["kind"] == Source.Kind.OTHER


def test_an_unknown_doi_says_so(outside):
    outside.expect_request("/doi/10.1126/foo").respond_with_data(
        recorded("doi-not-found.html"), status=404, content_type="text/html;charset=utf-8"
    )

    assert fail("10.1126/foo") == "No record was found for the DOI 10.1126/foo."


def test_malformed_json_from_the_doi_resolver_says_so(outside):
    serve_doi(outside, SCIENCE_DOI, '{"title": "The Structure of', content_type=CSL)

    message = fail(SCIENCE_DOI)

    assert message == (
        "The DOI resolver sent an answer the library could not read; fill in the form by hand."
    )


def test_a_server_error_from_the_doi_resolver_says_so(outside):
    outside.expect_request(f"/doi/{SCIENCE_DOI}").respond_with_data("busy", status=503)

    assert fail(SCIENCE_DOI).startswith("The DOI resolver answered with an error (HTTP 503)")


def test_a_doi_resolver_that_does_not_answer_in_time_says_so(outside, settings):
    settings.OUTBOUND_TIMEOUT = 1

    def slow(request):
        time.sleep(2.5)
        return Response("{}", content_type="application/json")

    outside.expect_request(f"/doi/{SCIENCE_DOI}").respond_with_handler(slow)

    started = time.monotonic()
    message = fail(SCIENCE_DOI)

    assert message == (
        "The DOI resolver did not answer within 1 second; try again in a moment, or fill in "
        "the form by hand."
    )
    assert time.monotonic() - started < 2.2


def test_a_doi_redirect_to_a_private_address_is_refused(outside):
    outside.expect_request(f"/doi/{SCIENCE_DOI}").respond_with_data(
        "", status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/"}
    )

    assert fail(SCIENCE_DOI) == (
        "The DOI resolver sent the library on to an address it does not fetch from (not a "
        "public http:// or https:// address)."
    )


def test_a_too_large_answer_says_so(outside, settings):
    settings.OUTBOUND_MAX_BYTES = 1000
    serve_doi(outside, SCIENCE_DOI, recorded("doi-csl-json.json"))

    assert fail(SCIENCE_DOI).startswith("The DOI resolver sent more than the library reads")


# PubMed


def test_a_pubmed_id_fills_from_e_utilities(outside):
    serve_pubmed(outside, "27933103", recorded("eutils-esummary.json"))

    found = lookup.look_up(identify("PMID 27933103"))

    assert found.form_fields() == {
        "title": "Programmatic conversion of crystal structures into 3D printable files using Jmol",
        "kind": Source.Kind.JOURNAL_ARTICLE,
        "url": "https://pubmed.ncbi.nlm.nih.gov/27933103/",
        "doi": "10.1186/s13321-016-0181-z",
        "contributors": "Scalfani, V. F.\nWilliams, A. J.\nTkachenko, V.\nKarapetyan, K.\n"
        "Pshenichnov, A.\nHanson, R. M.\nLiddie, J. M.\nBara, J. E.",
        "container_title": "Journal of cheminformatics",
        "volume": "8",
        "page_first": "66",
        "pmid": "27933103",
        "pmcid": "PMC5122160",
        "issn": "1758-2946",
        "year": 2016,
        "language": "en",
    }
    assert not found.retracted and found.notes == []


def test_a_retracted_pubmed_record_is_flagged(outside):
    serve_pubmed(outside, "9500320", recorded("eutils-esummary-retracted.json"))

    found = lookup.look_up(identify("9500320"))

    assert found.retracted
    assert found.notes == [
        "PubMed marks this paper as retracted: read the retraction notice before you propose it."
    ]
    assert found.form_fields()["doi"] == "10.1016/s0140-6736(97)11096-0"


def test_a_pubmed_id_without_a_record_says_so(outside):
    serve_pubmed(outside, "40482261", recorded("eutils-esummary-error.json"))

    assert fail("40482261") == "PubMed has no record with the ID 40482261."


def test_a_whole_request_error_from_e_utilities_says_so(outside):
    serve_pubmed(
        outside,
        "123",
        json.dumps(
            {
                "header": {"type": "esummary", "version": "0.3"},
                "error": "Invalid uid 123 at position= 0",
                "result": {"uids": []},
            }
        ),
    )

    assert fail("123") == (
        "PubMed could not answer (Invalid uid 123 at position= 0); fill in the form by hand."
    )


# ISBNs


def test_an_isbn_fills_from_open_library(outside):
    outside.expect_request(
        "/openlibrary/api/books",
        query_string={"bibkeys": "ISBN:9782070427796", "format": "json", "jscmd": "data"},
    ).respond_with_data(recorded("openlibrary-books-api.json"), content_type="application/json")

    fields = lookup.look_up(identify("978-2-07-042779-6")).form_fields()

    assert fields == {
        "title": "Les ombres errantes",
        "kind": Source.Kind.BOOK,
        "contributors": "Quignard, Pascal",
        "publisher": "Gallimard",
        "publisher_place": "Paris",
        "isbn": "9782070427796",
        "year": 2002,
    }


def test_an_isbn_open_library_does_not_know_says_so(outside):
    outside.expect_request("/openlibrary/api/books").respond_with_json({})

    assert fail("9780306406157") == (
        "Open Library has no record of the ISBN 9780306406157; fill in the book's details by hand."
    )


def test_an_isbn_with_a_wrong_check_digit_is_not_looked_up(outside, member):
    message = lookup.fill_in(member=member, text="9780306406158").message

    assert message == (
        "The ISBN 9780306406158 is not valid (its check digit is wrong); check it against the book."
    )
    assert outside.log == []


# Web pages


def test_a_page_with_highwire_tags_fills(outside):
    url = serve_page(outside, "/plosone/article", recorded("highwire-meta.html"))

    fields = lookup.look_up(identify(url)).form_fields()

    assert fields["title"] == (
        "Assessment on reticuloendotheliosis virus infection in specific-pathogen-free "
        "chickens based on detection of yolk antibody"
    )
    assert fields["contributors"].startswith("Li, Yang\nWang, Tuanjie\nWang, Lin\nSun, Mingjun")
    assert fields["contributors"].endswith("Sun, Tao\nZhao, Peng")
    assert (fields["year"], fields["issued_month"], fields["issued_day"]) == (2019, 4, 22)
    assert fields["doi"] == "10.1371/journal.pone.0213978"
    assert fields["publisher"] == "Public Library of Science"
    assert (fields["container_title"], fields["volume"], fields["issue"]) == ("PLOS ONE", "14", "4")
    assert (fields["page_first"], fields["issn"]) == ("e0213978", "1932-6203")
    assert fields["kind"] == Source.Kind.JOURNAL_ARTICLE
    assert fields["url"] == url
    assert fields["summary"].startswith("Reticuloendotheliosis virus (REV) is the most frequent")


def test_a_page_with_dublin_core_tags_fills(outside):
    url = serve_page(
        outside,
        "/report",
        """<!doctype html><html><head><title>Site | Report</title>
        <meta name="DC.title" content="Improvement in practice &amp; in theory">
        <meta name="DC.creator" content="Smith, Alex">
        <meta name="DC.creator" content="Jones, Sam">
        <meta name="DCTERMS.issued" content="2021-03-04">
        <meta name="DC.publisher" content="The Example Trust">
        </head><body></body></html>""",
    )

    fields = lookup.look_up(identify(url)).form_fields()

    assert fields["title"] == "Improvement in practice & in theory"
    assert fields["contributors"] == "Smith, Alex\nJones, Sam"
    assert (fields["year"], fields["issued_month"], fields["issued_day"]) == (2021, 3, 4)
    assert fields["publisher"] == "The Example Trust"
    assert fields["kind"] == Source.Kind.WEBSITE


def test_a_page_with_open_graph_tags_fills(outside):
    url = serve_page(
        outside,
        "/webinar",
        """<html><head>
        <meta property="og:title" content="Spreading improvement: a webinar">
        <meta property="og:type" content="video.other">
        <meta property="og:site_name" content="Example Improvement Network">
        <meta property="og:description" content="An hour on how ideas spread.">
        </head></html>""",
    )

    fields = lookup.look_up(identify(url)).form_fields()

    assert fields == {
        "title": "Spreading improvement: a webinar",
        "kind": Source.Kind.VIDEO,
        "url": url,
        "container_title": "Example Improvement Network",
        "summary": "An hour on how ideas spread.",
    }


def test_a_page_with_only_a_title_fills_the_title_and_says_so(outside):
    url = serve_page(outside, "/plain", "<html><head><title> A plain page </title></head></html>")

    found = lookup.look_up(identify(url))

    assert found.form_fields() == {"title": "A plain page", "kind": "website", "url": url}
    assert found.notes == ["The page gives only its title: fill in the rest yourself."]


def test_a_page_without_metadata_says_so(outside):
    url = serve_page(outside, "/bare", "<html><body><p>Nothing to see.</p></body></html>")

    assert fail(url) == (
        "That page has no title or citation details the library can read; fill in the form by hand."
    )


def test_a_file_that_is_not_a_page_says_so(outside):
    url = serve_page(outside, "/report.pdf", "%PDF-1.7", content_type="application/pdf")

    assert fail(url).startswith("That address serves application/pdf, not a web page")


def test_a_missing_page_says_so(outside):
    url = serve_page(outside, "/gone", "Not found", status=404)

    assert fail(url) == "That page was not found (HTTP 404); check the address."


def test_a_page_on_a_private_address_is_refused():
    assert fail("http://10.0.0.7/intranet") == (
        "10.0.0.7 is on a private or local network, which the library does not fetch from."
    )


def test_a_page_redirecting_to_a_private_address_is_refused(outside):
    outside.expect_request("/moved").respond_with_data(
        "", status=301, headers={"Location": "http://192.168.0.1/admin"}
    )

    assert fail(outside.url_for("/moved")) == (
        "192.168.0.1 is on a private or local network, which the library does not fetch from."
    )


def test_a_page_too_large_says_so(outside, settings):
    settings.OUTBOUND_MAX_BYTES = 1000
    url = serve_page(outside, "/plosone/article", recorded("highwire-meta.html"))

    assert fail(url) == (
        "The site 127.0.0.1 sent more than the library reads (1000\xa0bytes at most); fill "
        "in the form by hand."
    )


def test_a_page_that_does_not_answer_in_time_says_so(outside, settings):
    settings.OUTBOUND_TIMEOUT = 1

    def slow(request):
        time.sleep(1.5)
        return Response("<title>late</title>", content_type="text/html")

    outside.expect_request("/slow").respond_with_handler(slow)

    assert fail(outside.url_for("/slow")).startswith(
        "The site 127.0.0.1 did not answer within 1 second;"
    )


# Duplicates and the rate limit


def test_a_doi_already_in_the_library_is_reported_without_a_request(outside, member):
    existing = SourceFactory(doi=SCIENCE_DOI, doi_key=SCIENCE_DOI)

    outcome = lookup.fill_in(member=member, text=f"https://doi.org/{SCIENCE_DOI.upper()}")

    assert not outcome.ok
    assert outcome.message == "That DOI is already in the library or the queue:"
    assert outcome.duplicate == existing
    assert outside.log == []


def test_a_url_already_in_the_queue_is_reported(outside, member):
    existing = ProposalFactory(url="https://www.example.org/reports/spread/")

    outcome = lookup.fill_in(member=member, text="http://example.org/reports/spread")

    assert not outcome.ok and outcome.duplicate == existing


def test_a_fetched_doi_already_in_the_library_is_reported_beside_the_fields(outside, member):
    existing = SourceFactory(doi="10.1186/s13321-016-0181-z", doi_key="10.1186/s13321-016-0181-z")
    serve_pubmed(outside, "27933103", recorded("eutils-esummary.json"))

    outcome = lookup.fill_in(member=member, text="27933103")

    assert outcome.ok and outcome.duplicate == existing
    assert outcome.as_json()["duplicate"] == {
        "title": existing.title,
        "url": existing.get_absolute_url(),
    }


def test_look_ups_are_limited_per_member(outside, member, other_member, settings):
    settings.LOOKUPS_PER_MINUTE = 2
    for _ in range(2):
        assert not lookup.fill_in(member=member, text="not an identifier").rate_limited

    outcome = lookup.fill_in(member=member, text="not an identifier")

    assert outcome.rate_limited and not outcome.ok
    assert outcome.message == (
        "You have looked up 2 identifiers in the last minute; wait a minute, then try again."
    )
    assert not lookup.fill_in(member=other_member, text="x").rate_limited


# The proposal form without JavaScript


def test_fill_in_returns_the_form_filled_and_saves_nothing(outside, login, member, theme):
    serve_doi(outside, SCIENCE_DOI, recorded("doi-csl-json.json"))
    posted = {
        "identifier": f"doi:{SCIENCE_DOI}",
        "fill": "1",
        "title": "",
        "themes": [theme.pk],
        "stance": "refines",
        "rationale": "Water matters.",
    }

    response = login(member).post("/sources/propose/", posted)

    assert response.status_code == 200
    form = response.context["form"]
    assert not form.is_bound
    assert form.initial["title"] == "The Structure of Ordinary Water"
    assert form.initial["doi"] == SCIENCE_DOI
    assert form.initial["year"] == 1970
    assert form.initial["kind"] == "journal_article"
    assert form.initial["stance"] == "refines"
    assert form.initial["rationale"] == "Water matters."
    assert form.initial["themes"] == [str(theme.pk)]
    assert response.context["lookup_form"].initial["identifier"] == ""
    page = response.content.decode()
    assert (
        f"Filled in from the DOI {SCIENCE_DOI}: title, kind, URL, DOI, authors, journal, "
        "volume, issue, pages, publisher, ISSN, date, language and summary. Check them, then "
        "complete the rest."
    ) in page
    assert 'value="The Structure of Ordinary Water"' in page
    assert '<option value="journal_article" selected>' in page
    assert not Source.objects.exists()


def test_fill_in_keeps_a_summary_the_member_wrote(outside, login, member):
    serve_doi(outside, SCIENCE_DOI, recorded("doi-csl-json.json"))

    response = login(member).post(
        "/sources/propose/",
        {"identifier": SCIENCE_DOI, "fill": "1", "summary": "In my own words."},
    )

    assert response.context["form"].initial["summary"] == "In my own words."
    assert "publisher, ISSN, date and language." in response.content.decode()


def test_a_failed_fill_in_leaves_the_form_as_it_was(outside, login, member, theme):
    outside.expect_request("/doi/10.1126/foo").respond_with_data("", status=404)
    posted = {
        "identifier": "10.1126/foo",
        "fill": "1",
        "title": "My own title",
        "url": "https://example.org/mine",
        "themes": [theme.pk],
        "summary": "Mine.",
    }

    response = login(member).post("/sources/propose/", posted)

    form = response.context["form"]
    assert {name: form.initial.get(name) for name in ("title", "url", "summary")} == {
        "title": "My own title",
        "url": "https://example.org/mine",
        "summary": "Mine.",
    }
    assert response.context["lookup_form"].initial["identifier"] == "10.1126/foo"
    page = response.content.decode()
    assert "No record was found for the DOI 10.1126/foo." in page
    assert "notice--error" in page
    assert not Source.objects.exists()


def test_a_retraction_warning_shows_on_the_form(outside, login, member):
    serve_pubmed(outside, "9500320", recorded("eutils-esummary-retracted.json"))

    response = login(member).post("/sources/propose/", {"identifier": "9500320", "fill": "1"})

    assert "PubMed marks this paper as retracted" in response.content.decode()


def test_a_duplicate_shows_with_its_link(outside, login, member):
    existing = SourceFactory(doi=SCIENCE_DOI, doi_key=SCIENCE_DOI, title="Water, again")

    response = login(member).post("/sources/propose/", {"identifier": SCIENCE_DOI, "fill": "1"})

    assert (
        "That DOI is already in the library or the queue: "
        f'<a href="{existing.get_absolute_url()}">Water, again</a>.'
    ) in response.content.decode()


def test_enter_in_the_identifier_box_fills_in_rather_than_sending(outside, login, member):
    serve_pubmed(outside, "27933103", recorded("eutils-esummary.json"))

    # The form's default button is "Send"; no title yet means the member wanted the fill-in.
    response = login(member).post("/sources/propose/", {"identifier": "27933103", "title": ""})

    assert response.status_code == 200
    assert response.context["form"].initial["year"] == 2016
    assert not Source.objects.exists()


def test_the_filled_form_sends_a_proposal_with_those_values(outside, login, member, theme):
    serve_doi(outside, SCIENCE_DOI, recorded("doi-csl-json.json"))
    client = login(member)
    filled = client.post("/sources/propose/", {"identifier": SCIENCE_DOI, "fill": "1"})
    values = {k: v for k, v in filled.context["form"].initial.items() if v not in (None, "")}

    response = client.post(
        "/sources/propose/",
        proposal_form_data(theme, **values, identifier="", tags="water"),
    )

    source = Source.objects.get(proposer=member)
    assert response.status_code == 302
    assert (source.title, source.doi, source.year, source.kind) == (
        "The Structure of Ordinary Water",
        SCIENCE_DOI,
        1970,
        "journal_article",
    )
    assert source.contributors == [{"role": "author", "family": "Frank", "given": "Henry S."}]
    assert (source.container_title, source.volume, source.issue) == ("Science", "169", "3946")
    assert (source.page_first, source.page_last, source.issn) == ("635", "641", "0036-8075")
    assert source.authors == "Frank HS"


def test_the_rate_limit_shows_on_the_form(login, member, settings):
    settings.LOOKUPS_PER_MINUTE = 0

    response = login(member).post("/sources/propose/", {"identifier": "123", "fill": "1"})

    assert response.status_code == 429
    assert "wait a minute, then try again" in response.content.decode()


# The JSON look-up the form's script calls


def test_the_json_look_up_answers_members_with_the_fields(outside, login, member):
    serve_pubmed(outside, "27933103", recorded("eutils-esummary.json"))

    response = login(member).get("/sources/propose/lookup/", {"identifier": "27933103"})

    data = response.json()
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    assert data["ok"] is True
    assert data["fields"]["doi"] == "10.1186/s13321-016-0181-z"
    assert data["fields"]["kind"] == "journal_article"
    assert data["message"].startswith("Filled in from the PubMed ID 27933103: title, kind, URL")
    assert data["duplicate"] is None and data["warnings"] == []


def test_the_json_look_up_keeps_the_summary_when_asked(outside, login, member):
    serve_doi(outside, SCIENCE_DOI, recorded("doi-csl-json.json"))

    data = (
        login(member)
        .get("/sources/propose/lookup/", {"identifier": SCIENCE_DOI, "summary": "kept"})
        .json()
    )

    assert "summary" not in data["fields"]


def test_the_json_look_up_says_why_it_failed(login, member):
    response = login(member).get("/sources/propose/lookup/", {"identifier": "978-0-306-40615-8"})

    assert response.json() == {
        "ok": False,
        "message": "The ISBN 9780306406158 is not valid (its check digit is wrong); check it "
        "against the book.",
        "fields": {},
        "warnings": [],
        "duplicate": None,
        # An ISBN that cannot be right is not put into the form's ISBN field.
        "placed": {},
        "placed_message": "",
    }


def test_the_json_look_up_is_for_members_only(client, unverified, login):
    anonymous = client.get("/sources/propose/lookup/", {"identifier": "1"})
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous.url

    refused = login(unverified).get("/sources/propose/lookup/", {"identifier": "1"})
    assert refused.status_code == 403


def test_the_json_look_up_refuses_post(login, member):
    response = login(member).post("/sources/propose/lookup/", {"identifier": "1"})

    assert response.status_code == 405


# The record's details from each service


@pytest.mark.parametrize(
    ("text", "pages"),
    [
        ("106-115", ("106", "115")),
        ("106-15", ("106", "115")),
        ("191–194", ("191", "194")),
        ("k3617", ("k3617", "")),
        ("", ("", "")),
    ],
)
def test_page_ranges_are_read_as_first_and_last_page(text, pages):
    assert lookup.page_range(text) == pages


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("2016 Nov 23", (2016, 11, 23)),
        ("Apr 22, 2019", (2019, 4, 22)),
        ("2019/04/22", (2019, 4, 22)),
        ("22 April 2019", (2019, 4, 22)),
        ("2014 Feb", (2014, 2, None)),
        ("2019-02-30", (2019, None, None)),
        ("no date", (None, None, None)),
    ],
)
def test_dates_are_read_to_the_day_they_give(text, parts):
    assert lookup.date_parts(text) == parts


def test_a_pubmed_collective_author_stays_one_organisation():
    name = lookup.pubmed_name(
        {"name": "Sustainable Improvement Team, NHS England", "authtype": "CollectiveName"}
    )

    assert name == {"role": "author", "literal": "Sustainable Improvement Team, NHS England"}


def test_a_report_page_fills_its_institution_and_number(outside):
    url = serve_page(
        outside,
        "/a-report",
        """<html><head>
        <meta name="citation_title" content="The spread challenge">
        <meta name="citation_author" content="Horton, Tim">
        <meta name="citation_technical_report_institution" content="The Health Foundation">
        <meta name="citation_technical_report_number" content="HF-2018-07">
        <meta name="citation_isbn" content="978-1-911615-18-7">
        <meta name="citation_publication_date" content="2018/07/01">
        <meta name="citation_language" content="eng">
        </head></html>""",
    )

    fields = lookup.look_up(identify(url)).form_fields()

    assert fields["kind"] == Source.Kind.REPORT
    assert (fields["publisher"], fields["report_number"]) == ("The Health Foundation", "HF-2018-07")
    assert fields["isbn"] == "9781911615187"
    assert fields["contributors"] == "Horton, Tim"
    assert (fields["year"], fields["issued_month"], fields["issued_day"], fields["language"]) == (
        2018,
        7,
        1,
        "en",
    )


def test_details_a_service_wrote_wrongly_are_left_for_the_member():
    found = lookup.Found(
        title="A record",
        isbn="978-0-306-40615-8",
        page_first="pages one to ten",
        issued_month=13,
        year=2019,
        contributors=[{"role": "author", "family": "Ok"}, {"role": "author", "given": "No family"}],
    )

    fields = found.form_fields()

    assert "isbn" not in fields and "page_first" not in fields and "issued_month" not in fields
    assert fields["contributors"] == "Ok,\net al."
