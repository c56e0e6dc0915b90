"""Endorsing sources: the service, the endorse view with and without JavaScript, the breakdown
by perspective, the "most endorsed" orderings and races on PostgreSQL."""

import threading

import pytest
from django.db import connection
from django.utils import timezone

from sources.models import Endorsement, Source
from sources.perspectives import Perspective
from sources.proposals.endorsements import EndorsementError, set_endorsement

from .factories import MemberFactory, ProposalFactory, SourceFactory

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises writers, so row locks under real concurrency need PostgreSQL",
)


def endorsements_of(source):
    source.refresh_from_db(fields=["endorsement_count"])
    return source.endorsement_count, Endorsement.objects.filter(source=source).count()


# The service


def test_endorsing_twice_keeps_one_endorsement(proposal, member):
    set_endorsement(source=proposal, member=member, endorse=True)
    returned = set_endorsement(source=proposal, member=member, endorse=True)

    assert returned.endorsement_count == 1
    assert endorsements_of(proposal) == (1, 1)


def test_unendorsing_removes_it_and_repeating_changes_nothing(proposal, member, other_member):
    set_endorsement(source=proposal, member=member, endorse=True)
    set_endorsement(source=proposal, member=other_member, endorse=True)

    set_endorsement(source=proposal, member=member, endorse=False)
    returned = set_endorsement(source=proposal, member=member, endorse=False)

    assert returned.endorsement_count == 1
    assert endorsements_of(proposal) == (1, 1)
    assert Endorsement.objects.get(source=proposal).member == other_member


def test_member_cannot_endorse_own_proposal(proposal, proposer):
    with pytest.raises(EndorsementError, match="your own proposal"):
        set_endorsement(source=proposal, member=proposer, endorse=True)

    assert endorsements_of(proposal) == (0, 0)


@pytest.mark.parametrize(
    "status", [Source.Status.DECLINED, Source.Status.WITHDRAWN, Source.Status.RETIRED]
)
def test_closed_sources_cannot_be_endorsed(proposal, member, status):
    Source.objects.filter(pk=proposal.pk).update(status=status, approved_at=timezone.now())

    with pytest.raises(EndorsementError):
        set_endorsement(source=proposal, member=member, endorse=True)

    assert endorsements_of(proposal) == (0, 0)


@pytest.mark.parametrize("status", [Source.Status.APPROVED, Source.Status.CHANGES_REQUESTED])
def test_approved_and_sent_back_sources_can_be_endorsed(proposal, member, status):
    Source.objects.filter(pk=proposal.pk).update(status=status, approved_at=timezone.now())

    set_endorsement(source=proposal, member=member, endorse=True)

    assert endorsements_of(proposal) == (1, 1)


# The view


def test_endorse_without_javascript_redirects_back_with_a_message(login, member, proposal):
    client = login(member)

    response = client.post(f"/sources/{proposal.slug}/endorse/", {"endorse": "1"})

    assert response.status_code == 302
    assert response.url == proposal.get_absolute_url()
    assert endorsements_of(proposal) == (1, 1)
    page = client.get(response.url)
    assert "Thank you for endorsing this source." in page.content.decode()

    response = client.post(f"/sources/{proposal.slug}/endorse/", {"endorse": "0"}, follow=True)

    assert endorsements_of(proposal) == (0, 0)
    assert "Your endorsement is withdrawn." in response.content.decode()


def test_endorse_with_javascript_answers_json(login, member, proposal):
    member.perspective = Perspective.CLINICIAN
    member.save(update_fields=["perspective"])

    response = login(member).post(
        f"/sources/{proposal.slug}/endorse/",
        {"endorse": "1"},
        headers={"accept": "application/json"},
    )

    assert response.status_code == 200
    assert response.json() == {
        "endorsed": True,
        "count": 1,
        "breakdown": "1 clinician",
        "message": "Thank you for endorsing this source.",
    }
    assert endorsements_of(proposal) == (1, 1)


def test_endorse_own_proposal_with_javascript_is_refused_in_json(login, proposer, proposal):
    response = login(proposer).post(
        f"/sources/{proposal.slug}/endorse/",
        {"endorse": "1"},
        headers={"accept": "application/json"},
    )

    assert response.status_code == 403
    assert "your own proposal" in response.json()["error"]
    assert endorsements_of(proposal) == (0, 0)


def test_endorse_own_proposal_without_javascript_redirects_with_the_reason(
    login, proposer, proposal
):
    response = login(proposer).post(
        f"/sources/{proposal.slug}/endorse/", {"endorse": "1"}, follow=True
    )

    assert response.redirect_chain == [(proposal.get_absolute_url(), 302)]
    assert "You cannot endorse your own proposal." in response.content.decode()
    assert endorsements_of(proposal) == (0, 0)


def test_endorse_by_get_is_not_allowed(login, member, proposal):
    response = login(member).get(f"/sources/{proposal.slug}/endorse/?endorse=1")

    assert response.status_code == 405
    assert endorsements_of(proposal) == (0, 0)


def test_anonymous_endorse_goes_to_log_in(client, proposal, source):
    for target in (proposal, source):
        url = f"/sources/{target.slug}/endorse/"
        response = client.post(url, {"endorse": "1"})

        assert response.status_code == 302
        assert response.url == f"/accounts/login/?next={url}"
    assert Endorsement.objects.count() == 0


def test_unverified_endorse_is_refused_with_advice(login, unverified, source):
    response = login(unverified).post(f"/sources/{source.slug}/endorse/", {"endorse": "1"})

    assert response.status_code == 403
    assert "verif" in response.content.decode().lower()
    assert endorsements_of(source) == (0, 0)


# The breakdown by perspective and the "most endorsed" orderings


def endorse_as(source, *perspectives):
    for number, perspective in enumerate(perspectives):
        endorser = MemberFactory(username=f"endorser-{source.pk}-{number}", perspective=perspective)
        set_endorsement(source=source, member=endorser, endorse=True)


def test_source_page_shows_the_perspectives_behind_it(client, source):
    endorse_as(source, Perspective.CLINICIAN, Perspective.RESEARCHER, Perspective.CLINICIAN)

    response = client.get(source.get_absolute_url())

    assert response.context["breakdown"] == "2 clinicians, 1 researcher"
    html = response.content.decode()
    assert "2 clinicians, 1 researcher" in html
    assert "3 endorsements" in html


def test_source_page_without_endorsements_has_no_breakdown(client, source):
    response = client.get(source.get_absolute_url())

    assert response.context["breakdown"] == ""


def test_open_proposals_sort_by_most_endorsed(login, member, theme):
    quiet = ProposalFactory(title="Quiet proposal", themes=[theme])
    loud = ProposalFactory(title="Loud proposal", themes=[theme])
    endorse_as(loud, Perspective.PATIENT, Perspective.NURSE_AHP)
    client = login(member)

    newest = client.get("/proposals/")
    endorsed = client.get("/proposals/?sort=endorsed")

    assert list(newest.context["page"].object_list) == [loud, quiet]
    assert list(endorsed.context["page"].object_list) == [loud, quiet]
    endorse_as(quiet, *[Perspective.OTHER] * 3)
    assert list(client.get("/proposals/?sort=endorsed").context["page"].object_list) == [
        quiet,
        loud,
    ]


@pytest.mark.parametrize("listing", ["theme", "browse"])
def test_library_listings_sort_by_most_endorsed(client, theme, listing):
    newer = SourceFactory(title="Newer and quiet", themes=[theme])
    older = SourceFactory(title="Older and endorsed", themes=[theme])
    Source.objects.filter(pk=older.pk).update(approved_at=newer.approved_at.replace(year=2020))
    endorse_as(older, Perspective.MANAGER)
    url = theme.get_absolute_url() if listing == "theme" else "/sources/"

    by_date = client.get(url)
    by_endorsements = client.get(url, {"sort": "endorsed"})

    assert list(by_date.context["page"].object_list) == [newer, older]
    assert list(by_endorsements.context["page"].object_list) == [older, newer]


# Races (PostgreSQL)


def run_together(jobs):
    barrier = threading.Barrier(len(jobs))
    errors = []

    def run(job):
        try:
            barrier.wait(timeout=10)
            job()
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return errors


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_many_members_endorsing_at_once_keep_the_count_exact():
    source = SourceFactory()
    endorsers = [MemberFactory(username=f"racer{number}") for number in range(8)]

    errors = run_together(
        [
            lambda endorser=endorser: set_endorsement(source=source, member=endorser, endorse=True)
            for endorser in endorsers
        ]
    )

    assert errors == []
    assert endorsements_of(source) == (8, 8)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_one_member_endorsing_twice_at_once_endorses_once():
    source = SourceFactory()
    endorser = MemberFactory(username="double-clicker")

    errors = run_together(
        [lambda: set_endorsement(source=source, member=endorser, endorse=True)] * 2
    )

    assert errors == []
    assert endorsements_of(source) == (1, 1)
