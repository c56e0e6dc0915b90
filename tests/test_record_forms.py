"""The proposal and edit forms take the bibliographic record: contributors one a line, the
publication details, identifiers checked on their field, and the fields each kind requires."""

import pytest

from sources.models import Source

from .factories import ProposalFactory, SourceFactory, proposal_form_data, review_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def propose(login, member, theme):
    def post(**fields):
        return login(member).post("/sources/propose/", proposal_form_data(theme, **fields))

    return post


def test_a_proposal_keeps_structured_contributors_and_publication_details(propose, member):
    response = propose(
        kind=Source.Kind.JOURNAL_ARTICLE,
        contributors=(
            "Dixon-Woods, Mary\n"
            "van der Berg, Jan, Jr.\n"
            "Organisation: Sustainable Improvement Team, NHS England\n"
            "Editor: Berwick, Donald M.\n"
            "et al."
        ),
        container_title="BMJ Quality & Safety",
        volume="23",
        issue="2",
        page_first="106",
        page_last="115",
        publisher="",
        issued_month="2",
        issued_day="14",
        issn="2044-5415",
        pmid="PMID: 24019507",
        pmcid="pmc3913222",
        language="en-gb",
    )

    assert response.status_code == 302
    source = Source.objects.get(proposer=member)
    assert source.contributors == [
        {"role": "author", "family": "Dixon-Woods", "given": "Mary"},
        {"role": "author", "family": "van der Berg", "given": "Jan", "suffix": "Jr."},
        {"role": "author", "literal": "Sustainable Improvement Team, NHS England"},
        {"role": "editor", "family": "Berwick", "given": "Donald M."},
    ]
    assert source.et_al is True
    assert source.authors == (
        "Dixon-Woods M, van der Berg J Jr., Sustainable Improvement Team, NHS England, et al."
    )
    assert (source.container_title, source.volume, source.issue, source.pages) == (
        "BMJ Quality & Safety",
        "23",
        "2",
        "106\u2013115",
    )
    assert (source.year, source.issued_month, source.issued_day) == (2020, 2, 14)
    assert (source.issn, source.pmid, source.pmcid, source.language) == (
        "2044-5415",
        "24019507",
        "PMC3913222",
        "en-GB",
    )


def test_an_isbn_is_stored_one_way_whatever_its_hyphens(propose, member):
    propose(kind=Source.Kind.BOOK, isbn="0-385-54111-2", publisher="Doubleday")

    assert Source.objects.get(proposer=member).isbn == "9780385541114"


@pytest.mark.parametrize(
    ("kind", "field", "message"),
    [
        (Source.Kind.JOURNAL_ARTICLE, "container_title", "A journal article needs its journal"),
        (Source.Kind.SYSTEMATIC_REVIEW, "container_title", "A systematic review needs its jou"),
        (Source.Kind.BOOK, "publisher", "A book needs its publisher"),
        (Source.Kind.REPORT, "publisher", "A report needs its publisher"),
        (Source.Kind.EVALUATION, "publisher", "An evaluation needs its publisher"),
    ],
)
def test_each_kind_asks_for_the_fields_it_cannot_be_cited_without(
    propose, member, kind, field, message
):
    response = propose(kind=kind, container_title="", publisher="")

    assert response.status_code == 400
    assert message in response.context["form"].errors[field][0]
    assert message in response.content.decode()
    assert not Source.objects.filter(proposer=member).exists()


def test_a_website_needs_neither_journal_nor_publisher(propose, member):
    response = propose(kind=Source.Kind.WEBSITE, publisher="")

    assert response.status_code == 302
    assert Source.objects.get(proposer=member).kind == Source.Kind.WEBSITE


@pytest.fixture
def imported_without_publisher(theme, proposer):
    """An evaluation as a reading list may bring it in: no publisher."""
    return ProposalFactory(
        kind=Source.Kind.EVALUATION, publisher="", themes=[theme], proposer=proposer
    )


@pytest.mark.parametrize(
    ("decision", "reason", "status"),
    [
        ("request_changes", "Please complete its details.", Source.Status.CHANGES_REQUESTED),
        ("decline", "Out of scope.", Source.Status.DECLINED),
    ],
)
def test_a_proposal_without_its_publisher_can_still_be_sent_back_or_declined(
    login, moderator, imported_without_publisher, decision, reason, status
):
    source = imported_without_publisher

    response = login(moderator).post(
        f"/moderation/{source.slug}/", review_form_data(source, decision, reason=reason)
    )

    assert response.status_code == 302
    source.refresh_from_db()
    assert (source.status, source.decision_reason) == (status, reason)


def test_approving_a_proposal_without_its_publisher_asks_for_it_and_changes_nothing(
    login, moderator, imported_without_publisher
):
    source = imported_without_publisher
    client = login(moderator)

    refused = client.post(f"/moderation/{source.slug}/", review_form_data(source, "approve"))

    assert (
        "An evaluation needs its publisher" in refused.context["edit_form"].errors["publisher"][0]
    )
    assert "An evaluation needs its publisher" in refused.content.decode()
    assert Source.objects.get(pk=source.pk).status == Source.Status.PROPOSED
    client.post(
        f"/moderation/{source.slug}/",
        review_form_data(source, "approve", publisher="The Health Foundation"),
    )
    source.refresh_from_db()
    assert (source.status, source.publisher) == (Source.Status.APPROVED, "The Health Foundation")


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"isbn": "978-1-906461-38-7"}, "isbn", "last digit does not match"),
        ({"issn": "1234"}, "issn", "8 digits"),
        ({"pmid": "24019507a"}, "pmid", "1 to 9 digits"),
        ({"pmcid": "3913222"}, "pmcid", "PMC"),
        ({"issued_month": "2", "issued_day": "30"}, "issued_day", "not in that month"),
        ({"issued_day": "3"}, "issued_day", "month before the day"),
        ({"page_first": "", "page_last": "12"}, "page_last", "first page too"),
        ({"page_first": "pages 3 to 4"}, "page_first", "page number or an article number"),
        ({"language": "English"}, "language", "language code"),
        ({"contributors": "Batalden P; Berwick D"}, "contributors", "Line 1 holds more than"),
    ],
)
def test_malformed_details_get_a_message_on_their_field_and_lose_nothing(
    propose, member, fields, field, message
):
    response = propose(**fields)

    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    html = response.content.decode()
    assert "Spreading improvement through networks" in html  # what was typed is kept
    assert not Source.objects.filter(proposer=member).exists()


@pytest.mark.parametrize(
    ("field", "typed", "stored"),
    [
        ("isbn", "978-1-906461-38-6", "9781906461386"),
        ("pmid", "https://pubmed.ncbi.nlm.nih.gov/30305291/", "30305291"),
        ("pmcid", "pmc6180460", "PMC6180460"),
    ],
)
def test_an_identifier_already_here_is_refused_with_a_link(propose, member, field, typed, stored):
    existing = SourceFactory(title="Already here", **{field: stored})

    response = propose(url="", doi="", **{field: typed})

    assert response.status_code == 400
    assert "already in the library or the queue" in response.context["form"].errors[field][0]
    assert f'href="{existing.get_absolute_url()}"' in response.content.decode()


def test_the_edit_form_shows_contributors_one_a_line(login, member, theme):
    source = ProposalFactory(proposer=member, themes=[theme])
    source.set_contributors(
        [
            {"role": "author", "family": "le May", "given": "A."},
            {"role": "editor", "literal": "The Health Foundation"},
        ],
        et_al=True,
    )
    source.save()

    response = login(member).get(f"/sources/{source.slug}/edit/")

    html = response.content.decode()
    assert "le May, A.\nEditor: Organisation: The Health Foundation\net al.</textarea>" in html
    assert "<legend>Publication details</legend>" in html


def test_an_edit_changes_the_contributors_and_the_authors_line(login, member, theme):
    source = ProposalFactory(proposer=member, themes=[theme])

    response = login(member).post(
        f"/sources/{source.slug}/edit/",
        proposal_form_data(theme, title=source.title, contributors="Batalden, Paul"),
    )

    assert response.status_code == 302
    source.refresh_from_db()
    assert source.contributors == [{"role": "author", "family": "Batalden", "given": "Paul"}]
    assert (source.authors, source.et_al) == ("Batalden P", False)
