"""What members meet around their proposals and follows: saving an edit without resubmitting says
what it does and looks secondary; a feed and following read as two different things."""

import pytest
from django.urls import reverse

from sources.library.following import set_follow
from sources.models import Source
from sources.proposals import moderation

from .factories import ProposalFactory, proposal_form_data

pytestmark = pytest.mark.django_db


def test_an_edit_sent_back_offers_two_saves_that_look_and_read_differently(
    client, moderator, proposer, theme
):
    proposal = ProposalFactory(proposer=proposer, themes=[theme])
    moderation.request_changes(source=proposal, moderator=moderator, reason="Add the year.")
    client.force_login(proposer)

    page = client.get(reverse("sources:edit", args=[proposal.slug])).content.decode()

    assert 'class="button" aria-describedby="save-choices">Save and resubmit for a decision' in page
    assert 'class="button button--secondary" aria-describedby="save-choices">Save, keep it' in page
    assert "no moderator looks at it again until you resubmit it" in page


def test_saving_without_resubmitting_keeps_the_proposal_with_its_proposer(
    client, moderator, proposer, theme
):
    proposal = ProposalFactory(proposer=proposer, themes=[theme], title="Old title")
    moderation.request_changes(source=proposal, moderator=moderator, reason="Add the year.")
    client.force_login(proposer)
    data = proposal_form_data(theme, title="New title", url=proposal.url)

    response = client.post(reverse("sources:edit", args=[proposal.slug]), data, follow=True)

    proposal.refresh_from_db()
    assert (proposal.title, proposal.status) == ("New title", Source.Status.CHANGES_REQUESTED)
    assert "The proposal stays with you until you resubmit it." in response.content.decode()


def test_another_member_gets_no_save_buttons(client, member, moderator, proposer, theme):
    proposal = ProposalFactory(proposer=proposer, themes=[theme])
    moderation.request_changes(source=proposal, moderator=moderator, reason="Add the year.")
    client.force_login(member)

    response = client.get(reverse("sources:edit", args=[proposal.slug]), follow=True)

    assert "Save, keep it with me" not in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == Source.Status.CHANGES_REQUESTED


def test_a_feed_and_following_read_as_two_different_things(client, member, theme):
    client.force_login(member)

    page = client.get(theme.get_absolute_url()).content.decode()

    assert "Follow by e-mail" in page
    assert "Its news in a weekly e-mail, and on your Following page." in page
    assert "Subscribe to the feed of this theme’s new sources and comments" in page
    assert "For a feed reader, no account needed." in page
    assert "subscribe__icon" not in page
    set_follow(member=member, follow=True, theme=theme)
    assert "Stop following" in client.get(theme.get_absolute_url()).content.decode()
