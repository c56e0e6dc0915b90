"""The proposal lifecycle (sources/proposals/moderation.py), the moderators' queue and review, the
log."""

import threading

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from sources.models import ModerationEvent, Source
from sources.proposals import moderation

from .factories import (
    MemberFactory,
    ModeratorFactory,
    ProposalFactory,
    SourceFactory,
    review_form_data,
)

Status = Source.Status
Action = ModerationEvent.Action
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises writers, so row locks under real concurrency need PostgreSQL",
)


def new_source(**fields):
    fields = {
        "title": "Spreading improvement through networks",
        "url": "https://example.org/spreading",
        "kind": Source.Kind.REPORT,
        "stance": Source.Stance.REFINES,
        "summary": "How networks carry improvement from one place to another.",
        **fields,
    }
    return Source(**fields)


def state(source):
    """What a refused move must leave untouched."""
    source = Source.objects.get(pk=source.pk)
    return (
        source.status,
        source.decided_by_id,
        source.decided_at,
        source.decision_reason,
        source.approved_at,
        ModerationEvent.objects.filter(source=source).count(),
    )


# Submitting


def test_submit_saves_a_proposal_with_keys_slug_and_event(proposer, theme):
    source = moderation.submit(
        source=new_source(url="https://WWW.example.org/spreading/?utm_source=x", doi="doi:10.1/AB"),
        proposer=proposer,
        themes=[theme],
        tags=["networks", "spread"],
    )

    source = Source.objects.get(pk=source.pk)
    assert source.status == Status.PROPOSED
    assert source.proposer == proposer
    assert source.slug == "spreading-improvement-through-networks"
    assert source.url_key == "example.org/spreading"
    assert source.doi_key == "10.1/ab"
    assert list(source.themes.all()) == [theme]
    assert sorted(source.tags.names()) == ["networks", "spread"]
    event = source.events.get()
    assert (event.action, event.actor, event.from_status, event.to_status) == (
        Action.SUBMIT,
        proposer,
        "",
        Status.PROPOSED,
    )


def test_submit_emails_moderators_who_want_it_but_not_the_proposer(
    proposer, moderator, theme, mailoutbox, django_capture_on_commit_callbacks
):
    ModeratorFactory(username="quiet", notify_new_proposals=False)
    proposing_moderator = ModeratorFactory(username="busy")

    with django_capture_on_commit_callbacks(execute=True):
        moderation.submit(source=new_source(), proposer=proposer, themes=[theme], tags=[])
    told_of_first = sorted(message.to[0] for message in mailoutbox)
    with django_capture_on_commit_callbacks(execute=True):
        moderation.submit(
            source=new_source(title="Another", url=""),
            proposer=proposing_moderator,
            themes=[theme],
            tags=[],
        )

    assert told_of_first == [proposing_moderator.email, moderator.email]
    assert [message.to for message in mailoutbox[2:]] == [[moderator.email]]
    assert "Spreading improvement through networks" in mailoutbox[0].subject
    assert "/moderation/spreading-improvement-through-networks/" in mailoutbox[0].body


def test_submit_beyond_the_daily_limit_saves_nothing(proposer, theme, settings):
    settings.PROPOSALS_PER_DAY = 2
    for number in range(2):
        moderation.submit(
            source=new_source(title=f"Proposal {number}", url=f"https://example.org/{number}"),
            proposer=proposer,
            themes=[theme],
            tags=[],
        )

    with pytest.raises(moderation.ProposalLimitReached, match="2 proposals"):
        moderation.submit(
            source=new_source(title="One too many"), proposer=proposer, themes=[theme], tags=[]
        )

    assert Source.objects.filter(proposer=proposer).count() == 2
    assert not Source.objects.filter(title="One too many").exists()
    assert moderation.proposals_left_today(proposer) == 0


# Decisions


@pytest.mark.parametrize(
    ("decide", "reason", "action", "status"),
    [
        (moderation.approve, "", Action.APPROVE, Status.APPROVED),
        (moderation.approve, "Well evidenced.", Action.APPROVE, Status.APPROVED),
        (moderation.decline, "Out of scope.", Action.DECLINE, Status.DECLINED),
        (
            moderation.request_changes,
            "Add the DOI.",
            Action.REQUEST_CHANGES,
            Status.CHANGES_REQUESTED,
        ),
    ],
)
def test_decision_records_status_decider_reason_event_and_emails_proposer(
    proposal,
    moderator,
    proposer,
    decide,
    reason,
    action,
    status,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        decide(source=proposal, moderator=moderator, reason=reason)

    source = Source.objects.get(pk=proposal.pk)
    event = source.events.get()
    assert source.status == status
    assert source.decided_by == moderator
    assert source.decided_at == event.created_at
    assert source.decision_reason == reason
    assert source.approved_at == (event.created_at if status == Status.APPROVED else None)
    assert (event.action, event.actor, event.from_status, event.to_status, event.reason) == (
        action,
        moderator,
        Status.PROPOSED,
        status,
        reason,
    )
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [proposer.email]
    assert proposal.title in mailoutbox[0].subject
    assert reason in mailoutbox[0].body


def test_retire_takes_an_approved_source_out_with_a_reason(
    moderator, proposer, theme, mailoutbox, django_capture_on_commit_callbacks
):
    source = SourceFactory(proposer=proposer, themes=[theme])

    with django_capture_on_commit_callbacks(execute=True):
        moderation.retire(source=source, moderator=moderator, reason="Superseded by 2024 edition.")

    source.refresh_from_db()
    assert source.status == Status.RETIRED
    assert source.decided_by == moderator
    assert source.decision_reason == "Superseded by 2024 edition."
    assert source.events.get().action == Action.RETIRE
    assert [message.to for message in mailoutbox] == [[proposer.email]]
    assert "Superseded by 2024 edition." in mailoutbox[0].body


@pytest.mark.parametrize("reason", ["", "   "])
@pytest.mark.parametrize(
    "decide", [moderation.decline, moderation.request_changes, moderation.retire]
)
def test_decisions_other_than_approval_need_a_reason(
    proposal, moderator, decide, reason, mailoutbox, django_capture_on_commit_callbacks
):
    if decide is moderation.retire:
        Source.objects.filter(pk=proposal.pk).update(
            status=Status.APPROVED, approved_at=timezone.now()
        )
    before = state(proposal)

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(moderation.TransitionError, match="reason"),
    ):
        decide(source=proposal, moderator=moderator, reason=reason)

    assert state(proposal) == before
    assert mailoutbox == []


@pytest.mark.parametrize(
    ("status", "move"),
    [
        (Status.APPROVED, "approve"),
        (Status.DECLINED, "approve"),
        (Status.WITHDRAWN, "approve"),
        (Status.CHANGES_REQUESTED, "approve"),
        (Status.CHANGES_REQUESTED, "decline"),
        (Status.APPROVED, "decline"),
        (Status.DECLINED, "request_changes"),
        (Status.PROPOSED, "retire"),
        (Status.DECLINED, "retire"),
        (Status.RETIRED, "retire"),
        (Status.APPROVED, "withdraw"),
        (Status.DECLINED, "withdraw"),
        (Status.WITHDRAWN, "withdraw"),
    ],
)
def test_illegal_moves_raise_and_change_nothing(
    proposal, proposer, moderator, status, move, mailoutbox, django_capture_on_commit_callbacks
):
    Source.objects.filter(pk=proposal.pk).update(status=status, approved_at=timezone.now())
    before = state(proposal)
    call = {
        "approve": lambda: moderation.approve(source=proposal, moderator=moderator),
        "decline": lambda: moderation.decline(source=proposal, moderator=moderator, reason="No."),
        "request_changes": lambda: moderation.request_changes(
            source=proposal, moderator=moderator, reason="Fix it."
        ),
        "retire": lambda: moderation.retire(source=proposal, moderator=moderator, reason="Old."),
        "withdraw": lambda: moderation.withdraw(source=proposal, member=proposer),
    }[move]

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(moderation.TransitionError, match="Nothing was changed"),
    ):
        call()

    assert state(proposal) == before
    assert mailoutbox == []


def test_stale_instance_cannot_approve_a_proposal_declined_meanwhile(proposal, moderator):
    stale = Source.objects.get(pk=proposal.pk)
    moderation.decline(source=proposal, moderator=moderator, reason="Duplicate.")

    with pytest.raises(moderation.TransitionError):
        moderation.approve(source=stale, moderator=moderator)

    assert Source.objects.get(pk=proposal.pk).status == Status.DECLINED
    assert proposal.events.filter(action=Action.APPROVE).count() == 0


@pytest.mark.parametrize("who", ["member", "staff", "proposer"])
def test_only_moderators_can_decide(proposal, who, request, mailoutbox):
    actor = request.getfixturevalue(who)
    before = state(proposal)

    for decide, reason in [
        (moderation.approve, ""),
        (moderation.decline, "No."),
        (moderation.request_changes, "Fix."),
    ]:
        with pytest.raises(moderation.TransitionError, match="Only moderators"):
            decide(source=proposal, moderator=actor, reason=reason)

    assert state(proposal) == before


def test_superuser_without_the_group_is_a_moderator(proposal):
    superuser = MemberFactory(username="root", is_staff=True, is_superuser=True)

    moderation.approve(source=proposal, moderator=superuser)

    assert Source.objects.get(pk=proposal.pk).status == Status.APPROVED


def test_unverified_moderator_cannot_decide(proposal):
    lapsed = ModeratorFactory(username="lapsed", verified=False)

    with pytest.raises(moderation.TransitionError):
        moderation.approve(source=proposal, moderator=lapsed)

    assert Source.objects.get(pk=proposal.pk).status == Status.PROPOSED


# Withdrawing and editing


def test_proposer_withdraws_an_open_proposal(
    proposal, proposer, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        moderation.withdraw(source=proposal, member=proposer)

    proposal.refresh_from_db()
    assert proposal.status == Status.WITHDRAWN
    assert proposal.decided_by is None
    assert proposal.events.get().action == Action.WITHDRAW
    assert mailoutbox == []


@pytest.mark.parametrize("who", ["member", "moderator"])
def test_only_the_proposer_can_withdraw(proposal, who, request):
    before = state(proposal)

    with pytest.raises(moderation.TransitionError, match="Only the member who proposed"):
        moderation.withdraw(source=proposal, member=request.getfixturevalue(who))

    assert state(proposal) == before


@pytest.mark.parametrize("status", [Status.PROPOSED, Status.CHANGES_REQUESTED])
def test_proposer_edits_an_open_proposal(proposal, proposer, theme, themes, status):
    Source.objects.filter(pk=proposal.pk).update(status=status, approved_at=timezone.now())

    moderation.edit(
        source=proposal,
        editor=proposer,
        fields={"title": "Networks that spread improvement, 2nd ed.", "url": "https://x.org/a/"},
        themes=themes[1:],
        tags=["spread"],
    )

    proposal.refresh_from_db()
    assert proposal.title == "Networks that spread improvement, 2nd ed."
    assert proposal.url_key == "x.org/a"
    assert proposal.status == status
    assert list(proposal.themes.all()) == themes[1:]
    assert list(proposal.tags.names()) == ["spread"]
    assert proposal.events.count() == 0


def test_edit_and_resubmit_puts_a_proposal_back_in_the_queue(proposal, proposer, moderator, theme):
    moderation.request_changes(source=proposal, moderator=moderator, reason="Add the year.")

    moderation.edit(
        source=proposal,
        editor=proposer,
        fields={"year": 2021},
        themes=[theme],
        tags=[],
        resubmit=True,
    )

    proposal.refresh_from_db()
    assert proposal.status == Status.PROPOSED
    assert proposal.year == 2021
    assert list(proposal.events.order_by("pk").values_list("action", "from_status")) == [
        (Action.REQUEST_CHANGES, Status.PROPOSED),
        (Action.RESUBMIT, Status.CHANGES_REQUESTED),
    ]


@pytest.mark.parametrize("status", [Status.DECLINED, Status.APPROVED, Status.WITHDRAWN])
def test_proposer_cannot_edit_a_closed_proposal(proposal, proposer, theme, status):
    Source.objects.filter(pk=proposal.pk).update(status=status, approved_at=timezone.now())

    with pytest.raises(moderation.TransitionError, match="no longer"):
        moderation.edit(
            source=proposal, editor=proposer, fields={"title": "Changed"}, themes=[theme], tags=[]
        )

    assert Source.objects.get(pk=proposal.pk).title == "Networks that spread improvement"


def test_member_cannot_edit_someone_elses_proposal(proposal, member, theme):
    with pytest.raises(moderation.TransitionError, match="Only the member who proposed"):
        moderation.edit(
            source=proposal, editor=member, fields={"title": "Mine now"}, themes=[theme], tags=[]
        )

    assert Source.objects.get(pk=proposal.pk).title == "Networks that spread improvement"


@pytest.mark.parametrize("status", [Status.APPROVED, Status.DECLINED, Status.PROPOSED])
def test_moderator_can_edit_any_source(moderator, theme, status):
    source = SourceFactory(status=status, themes=[theme])

    moderation.edit(
        source=source, editor=moderator, fields={"title": "Corrected"}, themes=[theme], tags=[]
    )

    source.refresh_from_db()
    assert source.title == "Corrected"
    assert source.status == status


def test_edit_onto_a_live_sources_url_raises_duplicate(proposal, proposer, theme):
    SourceFactory(url="https://example.org/taken")

    with pytest.raises(moderation.DuplicateSource):
        moderation.edit(
            source=proposal,
            editor=proposer,
            fields={"url": "http://www.example.org/taken/"},
            themes=[theme],
            tags=[],
        )

    assert Source.objects.get(pk=proposal.pk).url == proposal.url


# The queue, the review page and the log


def test_queue_lists_proposed_only_oldest_first_or_most_endorsed(login, moderator, theme):
    oldest = ProposalFactory(title="Oldest proposal", themes=[theme])
    popular = ProposalFactory(title="Popular proposal", themes=[theme], endorsement_count=5)
    ProposalFactory(title="Sent back", status=Status.CHANGES_REQUESTED, themes=[theme])
    ProposalFactory(title="Declined one", status=Status.DECLINED, themes=[theme])
    SourceFactory(title="Approved one", themes=[theme])
    client = login(moderator)

    by_age = client.get("/moderation/")
    by_endorsements = client.get("/moderation/?order=endorsed")

    assert list(by_age.context["page"].object_list) == [oldest, popular]
    assert list(by_endorsements.context["page"].object_list) == [popular, oldest]
    assert by_age.context["waiting_for_changes"] == 1
    html = by_age.content.decode()
    assert "Oldest proposal" in html
    assert "Sent back" not in html
    assert "Declined one" not in html


def test_queue_shows_possible_duplicates_beside_each_proposal(login, moderator, theme):
    existing = SourceFactory(title="Effective Networks for Improvement", themes=[theme])
    ProposalFactory(title="Effective networks for improvement work", themes=[theme])

    response = login(moderator).get("/moderation/")

    (proposal,) = response.context["page"].object_list
    assert proposal.similar == [existing]
    assert existing.get_absolute_url() in response.content.decode()


def test_review_approves_with_a_corrected_title_and_it_joins_the_theme_page(
    login, moderator, proposal, theme, mailoutbox, django_capture_on_commit_callbacks
):
    client = login(moderator)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/moderation/{proposal.slug}/",
            review_form_data(proposal, "approve", title="Networks That Spread Improvement"),
        )

    assert response.status_code == 302
    assert response.url == "/moderation/"
    proposal.refresh_from_db()
    assert proposal.status == Status.APPROVED
    assert proposal.title == "Networks That Spread Improvement"
    assert proposal.decided_by == moderator
    assert proposal.events.get().action == Action.APPROVE
    assert len(mailoutbox) == 1
    theme_page = client.get(theme.get_absolute_url())
    assert proposal in theme_page.context["page"].object_list
    assert "Networks That Spread Improvement" in theme_page.content.decode()


def test_review_decline_without_reason_is_refused(login, moderator, proposal):
    response = login(moderator).post(
        f"/moderation/{proposal.slug}/", review_form_data(proposal, "decline", reason="  ")
    )

    assert response.status_code == 400
    assert "reason" in response.context["decision_form"].errors
    assert Source.objects.get(pk=proposal.pk).status == Status.PROPOSED
    assert not proposal.events.exists()


def test_second_decision_on_a_decided_proposal_is_refused_clearly(
    login, moderator, proposal, mailoutbox, django_capture_on_commit_callbacks
):
    moderation.decline(source=proposal, moderator=moderator, reason="Out of scope.")
    client = login(moderator)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/moderation/{proposal.slug}/", review_form_data(proposal, "approve"), follow=True
        )

    assert "already declined" in response.content.decode()
    assert Source.objects.get(pk=proposal.pk).status == Status.DECLINED
    assert proposal.events.count() == 1
    assert mailoutbox == []


def test_refused_decision_keeps_the_corrections_sent_with_it_unsaved(login, moderator, proposal):
    moderation.decline(source=proposal, moderator=moderator, reason="Out of scope.")

    response = login(moderator).post(
        f"/moderation/{proposal.slug}/",
        review_form_data(proposal, "approve", title="A corrected title"),
        follow=True,
    )

    assert "Nothing was changed" in response.content.decode()
    proposal.refresh_from_db()
    assert (proposal.status, proposal.title) == (
        Status.DECLINED,
        "Networks that spread improvement",
    )


@pytest.mark.parametrize(
    ("decide", "reason"),
    [
        (moderation.approve, ""),
        (moderation.decline, "Out of scope."),
        (moderation.request_changes, "Add the DOI."),
    ],
)
def test_a_moderator_cannot_decide_on_their_own_proposal(theme, decide, reason, mailoutbox):
    author = ModeratorFactory()
    own = ProposalFactory(proposer=author, themes=[theme])
    before = state(own)

    with pytest.raises(moderation.TransitionError, match="another moderator must decide"):
        decide(source=own, moderator=author, reason=reason)

    assert state(own) == before
    assert mailoutbox == []
    moderation.approve(source=own, moderator=ModeratorFactory())
    assert Source.objects.get(pk=own.pk).status == Status.APPROVED


def test_review_page_hides_the_decision_from_the_proposing_moderator(login, theme):
    author = ModeratorFactory(username="modauthor")
    own = ProposalFactory(proposer=author, themes=[theme])
    client = login(author)

    page = client.get(f"/moderation/{own.slug}/").content.decode()

    assert "You proposed this source, so another moderator must decide on it." in page
    assert 'name="decision-decision"' not in page
    assert f'href="/sources/{own.slug}/edit/"' in page

    response = client.post(
        f"/moderation/{own.slug}/", review_form_data(own, "approve"), follow=True
    )

    assert "another moderator must decide on it" in response.content.decode()
    assert state(own)[0] == Status.PROPOSED
    assert not own.events.exists()


def test_review_page_offers_the_decision_to_other_moderators(login, moderator, proposal):
    page = login(moderator).get(f"/moderation/{proposal.slug}/").content.decode()

    assert 'name="decision-decision"' in page
    assert "another moderator must decide" not in page


def test_retire_view_needs_a_reason_then_retires(login, moderator, theme):
    source = SourceFactory(themes=[theme])
    client = login(moderator)

    client.post(f"/moderation/{source.slug}/retire/", {"retire-reason": ""})
    assert Source.objects.get(pk=source.pk).status == Status.APPROVED

    client.post(f"/moderation/{source.slug}/retire/", {"retire-reason": "Withdrawn by publisher."})
    source.refresh_from_db()
    assert source.status == Status.RETIRED
    assert source.decision_reason == "Withdrawn by publisher."


def test_moderation_log_lists_decisions_with_reasons_publicly(client, moderator, proposer, theme):
    declined = ProposalFactory(title="A declined proposal", proposer=proposer, themes=[theme])
    approved = ProposalFactory(title="An approved proposal", proposer=proposer, themes=[theme])
    moderation.decline(source=declined, moderator=moderator, reason="Not about health care.")
    moderation.approve(source=approved, moderator=moderator)
    moderation.withdraw(
        source=ProposalFactory(title="Withdrawn quietly", proposer=proposer), member=proposer
    )

    response = client.get("/moderation/log/")

    assert response.status_code == 200
    events = list(response.context["page"].object_list)
    assert [(event.source, event.action) for event in events] == [
        (approved, Action.APPROVE),
        (declined, Action.DECLINE),
    ]
    html = response.content.decode()
    assert "Not about health care." in html
    assert "A declined proposal" in html
    assert "Withdrawn quietly" not in html


# Races (PostgreSQL)


def run_together(*jobs):
    """Run each job in its own thread, all released at once; return results or exceptions."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def run(index, job):
        try:
            barrier.wait(timeout=10)
            results[index] = job()
        except Exception as error:  # noqa: BLE001 - the test inspects what each thread got
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_moderators_approving_at_once_approve_once(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    proposer = MemberFactory(username="racer")
    first, second = ModeratorFactory(username="mod1"), ModeratorFactory(username="mod2")
    source = ProposalFactory(proposer=proposer)
    mail.outbox = []

    results = run_together(
        lambda: moderation.approve(source=source, moderator=first),
        lambda: moderation.approve(source=source, moderator=second),
    )

    assert sum(isinstance(result, Source) for result in results) == 1
    assert sum(isinstance(result, moderation.TransitionError) for result in results) == 1
    source.refresh_from_db()
    assert source.status == Status.APPROVED
    assert source.events.filter(action=Action.APPROVE).count() == 1
    assert [message.to for message in mail.outbox] == [[proposer.email]]
