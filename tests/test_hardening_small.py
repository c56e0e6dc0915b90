"""Issue-20 leftovers: a moderators' placeholder never reaches readers, and identifiers that
are not what they claim are refused where they come in."""

import pytest

from sources.evidence.keys import is_valid_doi
from sources.evidence.lookup import LookupFailed, identify
from sources.models import Source
from sources.proposals import moderation

from .factories import ProposalFactory, review_form_data

Status = Source.Status


@pytest.fixture
def imported_without_summary(theme, proposer):
    return ProposalFactory(summary="", themes=[theme], proposer=proposer)


def test_approving_a_proposal_without_a_summary_is_refused_and_changes_nothing(
    imported_without_summary, moderator
):
    with pytest.raises(moderation.MissingSummary, match="has no summary yet"):
        moderation.approve(source=imported_without_summary, moderator=moderator)

    imported_without_summary.refresh_from_db()
    assert imported_without_summary.status == Status.PROPOSED
    assert not imported_without_summary.events.exists()


def test_the_review_page_refuses_approval_on_the_summary_field_keeping_the_corrections(
    login, moderator, imported_without_summary
):
    response = login(moderator).post(
        f"/moderation/{imported_without_summary.slug}/",
        review_form_data(imported_without_summary, "approve", title="A corrected title"),
    )

    assert response.status_code == 400
    errors = response.context["edit_form"].errors["summary"]
    assert "has no summary yet" in errors[0]
    assert 'value="A corrected title"' in response.content.decode()
    stored = Source.objects.get(pk=imported_without_summary.pk)
    assert (stored.status, stored.title) == (Status.PROPOSED, imported_without_summary.title)


def test_a_proposal_without_a_summary_can_still_be_declined(
    login, moderator, imported_without_summary
):
    response = login(moderator).post(
        f"/moderation/{imported_without_summary.slug}/",
        review_form_data(imported_without_summary, "decline", reason="Out of scope."),
    )

    assert response.status_code == 302
    assert Source.objects.get(pk=imported_without_summary.pk).status == Status.DECLINED


def test_approval_with_the_summary_written_in_the_corrections_goes_through(
    login, moderator, imported_without_summary
):
    login(moderator).post(
        f"/moderation/{imported_without_summary.slug}/",
        review_form_data(imported_without_summary, "approve", summary="Why it matters."),
    )

    stored = Source.objects.get(pk=imported_without_summary.pk)
    assert (stored.status, stored.summary) == (Status.APPROVED, "Why it matters.")


def test_the_review_page_says_an_imported_proposal_has_no_summary_yet(
    login, moderator, imported_without_summary
):
    page = login(moderator).get(f"/moderation/{imported_without_summary.slug}/")

    assert "no summary yet" in page.content.decode()


@pytest.mark.parametrize("text", ["30154090", "PMID: 301540901", "pmid 123456789"])
def test_pmids_of_up_to_nine_digits_are_pubmed_ids(text):
    identifier = identify(text)

    assert identifier.kind == "pmid"
    assert identifier.value == text.split()[-1].removeprefix("PMID:").strip()


def test_a_pubmed_prefix_with_no_number_says_what_a_pubmed_id_is():
    with pytest.raises(LookupFailed, match="is not a PubMed ID"):
        identify("pmid:30154090x")


@pytest.mark.parametrize("control", ["\x00", "\x01", "\x1f", "\x7f", "\x85"])
def test_dois_with_control_characters_are_refused(control):
    doi = f"10.1136/bmj{control}.k3617"

    assert not is_valid_doi(doi)
    with pytest.raises(LookupFailed, match="does not look like a DOI"):
        identify(doi)
