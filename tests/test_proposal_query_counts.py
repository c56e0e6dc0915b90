"""The proposal and moderation pages run a fixed number of queries however many proposals,
endorsements and decisions they show: the same literal count with 1 item and with 25."""

import pytest

from sources.perspectives import Perspective
from sources.proposals import moderation
from sources.proposals.endorsements import set_endorsement

from .factories import MemberFactory, ProposalFactory

ENDORSER_PERSPECTIVES = [Perspective.CLINICIAN, Perspective.PATIENT, Perspective.RESEARCHER, ""]


@pytest.fixture
def endorsers(db):
    return [
        MemberFactory(username=f"endorser{number}", perspective=perspective)
        for number, perspective in enumerate(ENDORSER_PERSPECTIVES)
    ]


@pytest.fixture
def proposals(proposer, themes, endorsers, settings):
    """`proposals(n)`: n open proposals by `proposer`, each with two themes, two tags and
    endorsements from members of several perspectives."""
    settings.LIBRARY_PAGE_SIZE = 50

    def make(number):
        made = []
        for index in range(number):
            proposal = ProposalFactory(
                title=f"Counting proposal {index}",
                proposer=proposer,
                themes=themes[:2],
                tags=[f"tag-{index}", "shared"],
            )
            for endorser in endorsers:
                set_endorsement(source=proposal, member=endorser, endorse=True)
            made.append(proposal)
        return made

    return make


def decide_all(proposals, moderator):
    for index, proposal in enumerate(proposals):
        if index % 2:
            moderation.decline(source=proposal, moderator=moderator, reason=f"Reason {index}.")
        else:
            moderation.approve(source=proposal, moderator=moderator, reason="Welcome.")


@pytest.mark.parametrize("number", [1, 25])
def test_open_proposals_page(login, member, proposals, number, assert_db_queries):
    proposals(number)
    client = login(member)

    # A first visit reads the member, the page's key (the cache generation and the newest change
    # to any source), the themes, counts the open proposals, reads the page's rows and renders
    # the cards (their rows, themes and tags: sources/library/cards.py); the next one reads the
    # member, the key and the rows: the themes, the count and the cards are fragments under the
    # key and their rows' `updated_at` (and the session comes from the cache).
    with assert_db_queries(8):
        response = client.get("/proposals/")
    with assert_db_queries(3):
        again = client.get("/proposals/")

    assert len(response.context["page"].object_list) == number
    assert again.content.count(b'class="card proposal"') == number


@pytest.mark.parametrize("number", [1, 25])
def test_my_proposals_page(login, proposer, moderator, proposals, number, assert_db_queries):
    decide_all(proposals(number), moderator)
    client = login(proposer)

    # One query for every proposal's history (its events and their actors) at once.
    with assert_db_queries(5):
        response = client.get("/me/proposals/")

    assert len(response.context["page"].object_list) == number


@pytest.mark.parametrize("number", [1, 25])
def test_moderation_queue(login, moderator, proposals, number, assert_db_queries):
    proposals(number)
    client = login(moderator)

    with assert_db_queries(7):
        response = client.get("/moderation/")

    assert len(response.context["page"].object_list) == number


@pytest.mark.parametrize("number", [1, 25])
def test_moderation_log(client, moderator, proposals, number, assert_db_queries):
    decide_all(proposals(number), moderator)

    with assert_db_queries(2):
        response = client.get("/moderation/log/")

    assert len(response.context["page"].object_list) == number


@pytest.mark.parametrize("number", [1, 25])
def test_proposal_page(login, member, proposer, theme, number, assert_db_queries):
    proposal = ProposalFactory(proposer=proposer, themes=[theme], tags=["one", "two"])
    for index in range(number):
        endorser = MemberFactory(
            username=f"fan{index}",
            perspective=ENDORSER_PERSPECTIVES[index % len(ENDORSER_PERSPECTIVES)],
        )
        set_endorsement(source=proposal, member=endorser, endorse=True)
    client = login(member)

    # The member, the page's key, the source's row with its proposer and whether the member may
    # open it; its facts: its themes, tags and endorsers' perspectives; whether the member
    # endorsed it; the (empty) discussion's latest threads.
    with assert_db_queries(9):
        response = client.get(proposal.get_absolute_url())

    assert response.context["source"].endorsement_count == number
