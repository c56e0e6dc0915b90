"""Searching for an identifier: a DOI, PMID, PMCID or ISBN typed in the search box finds the
source holding it first, written in any of the ways people copy it."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from sources.models import Source

from .factories import SourceFactory

pytestmark = pytest.mark.django_db


def first_result(client, q):
    response = client.get(reverse("sources:list"), {"q": q})
    results = list(response.context["page"].object_list)
    return results[0].slug if results else None


@pytest.fixture
def starter(themes):
    call_command("seed_library", stdout=io.StringIO())
    return Source.objects.approved()


def test_searching_for_each_starter_doi_finds_its_source_first(client, starter):
    with_doi = list(starter.exclude(doi=""))
    assert len(with_doi) == 4

    for source in with_doi:
        for typed in (
            source.doi,
            source.doi.upper(),
            f"https://doi.org/{source.doi}",
            f"doi:{source.doi}",
        ):
            assert first_result(client, typed) == source.slug, typed


def test_searching_for_an_isbn_with_or_without_hyphens_finds_the_book_first(client, starter):
    for typed in ("978-0-385-54111-4", "9780385541114", "ISBN 978-0-385-54111-4", "0385541112"):
        assert first_result(client, typed) == "new-power", typed


def test_searching_for_a_pmid_or_pmcid_finds_the_article_first(client, theme):
    SourceFactory(title="Mentions 30305291 in passing", themes=[theme])
    SourceFactory(title="The article", slug="the-article", pmid="30305291", pmcid="PMC6180460")

    for typed in ("30305291", "PMID: 30305291", "https://pubmed.ncbi.nlm.nih.gov/30305291/"):
        assert first_result(client, typed) == "the-article", typed
    assert first_result(client, "pmc6180460") == "the-article"


def test_an_identifier_only_in_an_open_proposal_is_not_shown_to_readers(client, theme):
    SourceFactory(
        title="Waiting", doi="10.1000/waiting", doi_key="10.1000/waiting", status="proposed"
    )

    assert first_result(client, "10.1000/waiting") is None
