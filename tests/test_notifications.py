"""E-mails about proposals: who hears of a new proposal, what the proposer is told, and that
nothing goes out before (or without) the commit."""

import pytest
from django.db import transaction

from sources.models import Source
from sources.proposals import moderation
from sources.proposals.notifications import moderators_to_tell

from .factories import (
    MemberFactory,
    ModeratorFactory,
    SourceFactory,
    UserFactory,
    make_moderator,
)


def new_source(title="Improvement networks in practice"):
    return Source(
        title=title,
        kind=Source.Kind.CASE_STUDY,
        stance=Source.Stance.REINFORCES,
        summary="How three networks spread a change.",
    )


def test_moderators_told_are_active_verified_willing_and_not_the_proposer(moderator, proposer):
    superuser = MemberFactory(username="root", is_superuser=True)
    ModeratorFactory(username="quiet", notify_new_proposals=False)
    ModeratorFactory(username="gone", is_active=False)
    make_moderator(UserFactory(username="unverified-moderator"))
    MemberFactory(username="plain-staff", is_staff=True)

    told = set(moderators_to_tell(exclude=proposer))

    assert told == {moderator, superuser}
    assert set(moderators_to_tell(exclude=moderator)) == {superuser}


def test_new_proposal_email_names_the_source_and_links_to_its_review(
    proposer, moderator, theme, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://library.example.org/"

    with django_capture_on_commit_callbacks(execute=True):
        moderation.submit(source=new_source(), proposer=proposer, themes=[theme], tags=[])

    (message,) = mailoutbox
    assert message.to == [moderator.email]
    assert message.subject == "[Q Library] New proposal: Improvement networks in practice"
    assert "Proposed by Pat Proposer; stance: reinforces." in message.body
    assert (
        "https://library.example.org/moderation/improvement-networks-in-practice/" in message.body
    )


def test_no_email_goes_out_before_the_commit(
    proposer, moderator, theme, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        moderation.submit(source=new_source(), proposer=proposer, themes=[theme], tags=[])

    assert mailoutbox == []
    mail_callbacks = list(callbacks)
    assert len(mail_callbacks) == 1


def test_no_email_for_a_rolled_back_decision(
    proposal, moderator, mailoutbox, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        moderation.approve(source=proposal, moderator=moderator)
        raise RuntimeError("the request failed after the decision")

    assert mailoutbox == []
    assert Source.objects.get(pk=proposal.pk).status == Source.Status.PROPOSED


@pytest.mark.parametrize(
    ("decide", "reason", "subject", "says"),
    [
        (moderation.approve, "", "Approved", "is now in the Q Library"),
        (moderation.decline, "Out of scope.", "Declined", "has declined your proposal"),
        (moderation.request_changes, "Add a DOI.", "Asked for changes", "asked for changes"),
    ],
)
def test_decision_email_tells_the_proposer_what_and_why(
    proposal,
    moderator,
    proposer,
    decide,
    reason,
    subject,
    says,
    settings,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    settings.SITE_URL = "https://library.example.org"

    with django_capture_on_commit_callbacks(execute=True):
        decide(source=proposal, moderator=moderator, reason=reason)

    (message,) = mailoutbox
    assert message.to == [proposer.email]
    assert message.subject == f"[Q Library] {subject}: Networks that spread improvement"
    assert says in message.body
    assert "Hello Pat Proposer," in message.body
    if reason:
        assert f"The moderator's reason:\n\n{reason}" in message.body
    link = (
        "https://library.example.org/sources/networks-that-spread-improvement/"
        if decide is moderation.approve
        else "https://library.example.org/me/proposals/"
    )
    assert link in message.body


def test_withdrawal_and_resubmission_send_no_email(
    proposal, proposer, moderator, theme, mailoutbox, django_capture_on_commit_callbacks
):
    moderation.request_changes(source=proposal, moderator=moderator, reason="Add a DOI.")

    with django_capture_on_commit_callbacks(execute=True):
        moderation.edit(
            source=proposal, editor=proposer, fields={}, themes=[theme], tags=[], resubmit=True
        )
        moderation.withdraw(source=proposal, member=proposer)

    assert mailoutbox == []


def test_decision_on_a_starter_source_without_proposer_sends_nothing(
    moderator, theme, mailoutbox, django_capture_on_commit_callbacks
):
    source = SourceFactory(proposer=None, themes=[theme])

    with django_capture_on_commit_callbacks(execute=True):
        moderation.retire(source=source, moderator=moderator, reason="Out of date.")

    assert mailoutbox == []
    assert Source.objects.get(pk=source.pk).status == Source.Status.RETIRED


def test_markup_in_a_title_reaches_the_email_as_typed(
    proposer, moderator, theme, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        moderation.submit(
            source=new_source(title="Patients & carers <together>"),
            proposer=proposer,
            themes=[theme],
            tags=[],
        )

    assert "Patients & carers <together>" in mailoutbox[0].body
