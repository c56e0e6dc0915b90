"""Duplicate detection when proposing: the same URL or DOI is refused with a link to the source
already here; a similar title asks the member to check before saving."""

import pytest

from sources.models import Source
from sources.proposals.duplicates import similar_titles

from .factories import ProposalFactory, SourceFactory


@pytest.fixture
def propose(login, member, theme):
    """POST the proposal form as a member, with valid fields unless overridden."""

    def post(**fields):
        data = {
            "title": "A fresh look at patient safety",
            "url": "",
            "doi": "",
            "kind": Source.Kind.JOURNAL_ARTICLE,
            "container_title": "BMJ Quality & Safety",
            "themes": [theme.pk],
            "summary": "Why it matters.",
            "stance": Source.Stance.CHALLENGES,
            **fields,
        }
        return login(member).post("/sources/propose/", data)

    return post


@pytest.mark.parametrize(
    "url",
    [
        "https://www.example.org/reports/safety",
        "http://example.org/reports/safety",
        "https://EXAMPLE.ORG/reports/safety/",
        "https://example.org/reports/safety?utm_source=newsletter&utm_medium=email",
        "https://example.org/reports/safety?fbclid=abc123",
        "HTTP://WWW.Example.org/reports/safety/?utm_campaign=x",
    ],
)
@pytest.mark.parametrize("status", [Source.Status.APPROVED, Source.Status.PROPOSED])
def test_same_url_after_normalising_is_refused_with_a_link(propose, member, url, status):
    existing = SourceFactory(
        title="Safety reports", url="https://example.org/reports/safety", status=status
    )

    response = propose(url=url)

    assert response.status_code == 400
    errors = response.context["form"].errors["url"]
    assert "already in the library or the queue" in errors[0]
    assert f'href="{existing.get_absolute_url()}"' in response.content.decode()
    assert not Source.objects.filter(proposer=member).exists()


@pytest.mark.parametrize(
    "doi",
    [
        "10.1136/bmjqs-2015-004315",
        "10.1136/BMJQS-2015-004315",
        "https://doi.org/10.1136/bmjqs-2015-004315",
        "http://dx.doi.org/10.1136/bmjqs-2015-004315",
        "doi:10.1136/bmjqs-2015-004315",
        "DOI: 10.1136/bmjqs-2015-004315",
    ],
)
def test_same_doi_after_normalising_is_refused_with_a_link(propose, member, doi):
    existing = SourceFactory(
        title="Safety article",
        doi="10.1136/bmjqs-2015-004315",
        doi_key="10.1136/bmjqs-2015-004315",
    )

    response = propose(doi=doi)

    assert response.status_code == 400
    assert "This DOI is already" in response.context["form"].errors["doi"][0]
    assert f'href="{existing.get_absolute_url()}"' in response.content.decode()
    assert not Source.objects.filter(proposer=member).exists()


@pytest.mark.parametrize(
    "status", [Source.Status.DECLINED, Source.Status.WITHDRAWN, Source.Status.RETIRED]
)
def test_url_of_a_source_no_longer_live_can_be_proposed_again(propose, member, status):
    SourceFactory(url="https://example.org/reports/safety", status=status)

    response = propose(url="https://example.org/reports/safety")

    assert response.status_code == 302
    again = Source.objects.get(proposer=member)
    assert again.url_key == "example.org/reports/safety"
    assert again.status == Source.Status.PROPOSED


def test_similar_title_warns_and_saves_only_once_confirmed(propose, member):
    existing = SourceFactory(title="Effective Networks for Improvement")

    warned = propose(title="Effective networks for improvement work")

    assert warned.status_code == 400
    assert warned.context["form"].similar == [existing]
    assert "confirm_not_duplicate" in warned.context["form"].errors
    html = warned.content.decode()
    assert "similar titles" in html
    assert existing.get_absolute_url() in html
    assert not Source.objects.filter(proposer=member).exists()

    confirmed = propose(title="Effective networks for improvement work", confirm_not_duplicate="on")

    assert confirmed.status_code == 302
    assert Source.objects.get(proposer=member).title == "Effective networks for improvement work"


def test_unrelated_title_is_not_flagged(propose, member):
    SourceFactory(title="Effective Networks for Improvement")

    response = propose(title="Measuring patient experience in emergency departments")

    assert response.status_code == 302
    assert Source.objects.filter(proposer=member).count() == 1


def test_similar_titles_ignore_sources_that_are_no_longer_live(db):
    SourceFactory(title="Effective Networks for Improvement", status=Source.Status.DECLINED)
    live = ProposalFactory(title="Effective networks for improving care")

    assert similar_titles("Effective networks for improvement work") == [live]


def test_duplicate_saved_between_the_check_and_the_insert_is_refused(propose, member, monkeypatch):
    # The form's check passed, then another member's proposal took the URL before the insert.
    monkeypatch.setattr("sources.proposals.forms.live_duplicate", lambda **keys: None)
    SourceFactory(url="https://example.org/reports/safety")

    response = propose(url="https://www.example.org/reports/safety/")

    assert response.status_code == 409
    assert "Another source in the library or the queue has this URL or DOI." in (
        response.content.decode()
    )
    assert not Source.objects.filter(proposer=member).exists()
