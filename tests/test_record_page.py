"""A source's page shows its bibliographic record: contributors, where it was published, the
publisher, the issued date and its identifiers, with links where a resolver exists."""

import io

import pytest
from django.core.management import call_command

from .factories import SourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def starter(themes):
    call_command("seed_library", stdout=io.StringIO())


def details_of(client, slug):
    page = client.get(f"/sources/{slug}/").content.decode()
    return page[
        page.index('id="details-heading"') : page.index("</aside>", page.index("details-heading"))
    ]


def test_an_article_shows_its_journal_volume_issue_and_pages(client, starter):
    details = details_of(client, "culture-and-behaviour-in-the-english-nhs")

    assert "<dt>Published in</dt><dd>BMJ Quality &amp; Safety</dd>" in details
    assert "<dt>Volume and issue</dt><dd>23(2)</dd>" in details
    assert "<dt>Pages</dt><dd>106\u2013115</dd>" in details
    assert "<dt>Authors</dt><dd>M. Dixon-Woods, R. Baker, K. Charles," in details
    assert '<a href="https://doi.org/10.1136/bmjqs-2013-001947"' in details


def test_an_article_number_is_shown_as_such(client, starter):
    details = details_of(client, "getting-more-health-from-healthcare")

    assert "<dt>Published in</dt><dd>The BMJ</dd>" in details
    assert "<dt>Volume and issue</dt><dd>362</dd>" in details
    assert "<dt>Page or article number</dt><dd>k3617</dd>" in details


def test_a_book_shows_its_publisher_and_isbn_as_text(client, starter):
    details = details_of(client, "new-power")

    assert "<dt>Publisher</dt><dd>Doubleday</dd>" in details
    assert "<dt>ISBN</dt><dd>978-0-385-54111-4</dd>" in details
    assert "<dt>Authors</dt><dd>J. Heimans, H. Timms</dd>" in details


def test_a_body_as_author_is_one_name_and_not_repeated_as_publisher_on_cards(client, starter):
    details = details_of(client, "source4networks")

    assert "<dt>Author</dt><dd>Sustainable Improvement Team, NHS England</dd>" in details
    listing = client.get("/sources/?q=networks").content.decode()
    assert listing.count("Effective networks for improvement") >= 1
    card = listing[listing.index("Effective networks for improvement") :][:1500]
    assert card.count("The Health Foundation") == 1


def test_identifiers_link_to_their_resolvers_and_the_record_reads_in_full(client, theme):
    SourceFactory(
        slug="full-record",
        themes=[theme],
        contributors=[
            {"role": "editor", "family": "King", "given": "Martin Luther", "suffix": "Jr."},
            {"role": "editor", "family": "山田", "given": "太郎"},
        ],
        et_al=True,
        publisher="Example Press",
        publisher_place="Leeds",
        edition="2nd",
        report_number="R-12",
        year=2014,
        issued_month=2,
        issued_day=14,
        language="en-GB",
        pmid="24019507",
        pmcid="PMC3913222",
        issn="2044-5415",
    )

    details = details_of(client, "full-record")

    assert "<dt>Editors</dt><dd>Martin Luther King Jr., 山田 太郎, et al.</dd>" in details
    assert "<dt>Publisher</dt><dd>Example Press, Leeds</dd>" in details
    assert "<dt>Edition</dt><dd>2nd</dd>" in details
    assert "<dt>Report number</dt><dd>R-12</dd>" in details
    assert "<dt>Published</dt><dd>14 February 2014</dd>" in details
    assert '<dd lang="en-GB">en-GB</dd>' in details
    assert (
        '<a href="https://pubmed.ncbi.nlm.nih.gov/24019507/" rel="noopener">PMID 24019507</a>'
        in details
    )
    assert (
        '<a href="https://pmc.ncbi.nlm.nih.gov/articles/PMC3913222/" rel="noopener">PMC3913222</a>'
        in details
    )
    assert "<dt>ISSN</dt><dd>2044-5415</dd>" in details


def test_contributor_names_are_text_never_markup(client, theme):
    SourceFactory(
        slug="hostile-names",
        themes=[theme],
        contributors=[{"role": "author", "literal": "<script>alert(1)</script>"}],
        container_title="<b>Journal</b>",
    )

    details = details_of(client, "hostile-names")

    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in details
    assert "&lt;b&gt;Journal&lt;/b&gt;" in details
    assert "<script>alert" not in details
