"""The proposal lifecycle: every change of a source's status goes through these functions.

Each one runs in a transaction with the source's row locked, checks the actor's right and the
current status, records a ModerationEvent and queues its e-mail for after the commit. A move the
lifecycle does not allow raises TransitionError and changes nothing.
"""

from datetime import timedelta
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from sources import tasks
from sources.evidence.citations import store_citations
from sources.lists.alerts import notify_owners_of
from sources.models import ModerationEvent, Source
from sources.permissions import decide_refusal, edit_refusal, review_refusal, withdraw_refusal
from sources.proposals import changes, notifications, reviews

Status = Source.Status
Action = ModerationEvent.Action


# How PostgreSQL (constraint names) and SQLite (column names) report a clash of live keys.
DUPLICATE_KEY_ERRORS = ("source_unique_live_url", "source_unique_live_doi", ".url_key", ".doi_key")


# An imported proposal may arrive without a summary; readers must never see an empty one.
NO_SUMMARY = (
    "This proposal has no summary yet. Write why it matters under “Correct the details before "
    "deciding”, then approve it. Nothing was changed."
)


class TransitionError(Exception):
    """A move the lifecycle does not allow; the message is meant for the person who tried."""


class MissingSummary(TransitionError):
    """Approval of a proposal that has no summary (NO_SUMMARY says what to do)."""


class ProposalLimitReached(Exception):
    pass


class DuplicateSource(Exception):
    """Another live source already holds this URL or DOI."""


def proposals_left_today(member):
    """How many more proposals the member may make in the current 24 hours."""
    since = timezone.now() - timedelta(days=1)
    made = Source.objects.filter(proposer=member, created_at__gte=since).count()
    return max(settings.PROPOSALS_PER_DAY - made, 0)


def submit(*, source, proposer, themes, tags):
    """Save a new proposal from an unsaved Source and tell the moderators."""
    with transaction.atomic():
        # Lock the member's row so two simultaneous submissions cannot both pass the limit.
        get_user_model().objects.select_for_update().filter(pk=proposer.pk).first()
        if proposals_left_today(proposer) == 0:
            raise ProposalLimitReached(
                f"You have made {settings.PROPOSALS_PER_DAY} proposals in the last 24 hours, "
                "the most the library takes from one member in a day. Please try again tomorrow."
            )
        source.proposer = proposer
        source.status = Status.PROPOSED
        source.assign_keys()
        source.assign_slug()
        _save_checking_duplicates(source)
        source.themes.set(themes)
        source.tags.set(tags)
        Source.objects.filter(pk=source.pk).refresh_search_vectors()
        event = ModerationEvent.objects.create(
            source=source,
            actor=proposer,
            action=Action.SUBMIT,
            from_status="",
            to_status=Status.PROPOSED,
        )
        transaction.on_commit(lambda: notifications.new_proposal(event), robust=True)
    return source


def edit(*, source, editor, fields, themes, tags, resubmit=False):
    """Change a source's details: the proposer while it is open, a moderator at any time.

    With resubmit, a proposal sent back for changes goes back into the queue.
    """
    with transaction.atomic():
        locked = _lock(source)
        refusal = edit_refusal(locked, editor)
        if refusal:
            raise TransitionError(refusal)
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.assign_keys()
        _save_checking_duplicates(locked)
        locked.themes.set(themes)
        locked.tags.set(tags)
        Source.objects.filter(pk=locked.pk).refresh_search_vectors()
        if resubmit and locked.is_sent_back:
            _move(locked, actor=editor, action=Action.RESUBMIT, to=Status.PROPOSED)
        if locked.is_approved:
            transaction.on_commit(partial(store_citations, [locked.pk]), robust=True)
    return locked


def withdraw(*, source, member):
    """The proposer takes back an open proposal."""
    with transaction.atomic():
        locked = _lock(source)
        refusal = withdraw_refusal(locked, member)
        if refusal:
            raise TransitionError(refusal)
        return _move(locked, actor=member, action=Action.WITHDRAW, to=Status.WITHDRAWN)


def approve(*, source, moderator, reason=""):
    """Admit a proposal into the library."""
    return _decide(source, moderator, Action.APPROVE, Status.APPROVED, reason, "approved")


def decline(*, source, moderator, reason):
    return _decide(source, moderator, Action.DECLINE, Status.DECLINED, reason, "declined")


def request_changes(*, source, moderator, reason):
    """Send a proposal back to its proposer, keeping its fields to show what they change."""
    return _decide(
        source, moderator, Action.REQUEST_CHANGES, Status.CHANGES_REQUESTED, reason, "sent back"
    )


DECISIONS = {
    Action.APPROVE: approve,
    Action.REQUEST_CHANGES: request_changes,
    Action.DECLINE: decline,
}


def review(*, source, moderator, decision, reason="", corrections=None):
    """A moderator's review: their corrections to the proposal (if any) and their decision,
    together or not at all.

    `decision` is one of DECISIONS; `corrections`, when given, holds the keyword arguments of
    edit() (fields, themes, tags). A refused decision keeps none of the corrections.
    """
    if decision not in DECISIONS:
        raise TransitionError("Choose approve, ask for changes or decline.")
    with transaction.atomic():
        if corrections:
            source = edit(source=source, editor=moderator, **corrections)
        return DECISIONS[decision](source=source, moderator=moderator, reason=reason)


def retire(*, source, moderator, reason):
    """Take an approved source out of the library, saying why."""
    with transaction.atomic():
        locked = _lock(source)
        _require_moderator(moderator)
        _require_reason(reason)
        _require(locked, [Status.APPROVED], "retired")
        transaction.on_commit(lambda: notify_owners_of(locked, "left"), robust=True)
        return _move(
            locked, actor=moderator, action=Action.RETIRE, to=Status.RETIRED, reason=reason
        )


def _decide(source, moderator, action, to, reason, verb):
    with transaction.atomic():
        locked = _lock(source)
        refusal = decide_refusal(locked, moderator)
        if refusal:
            raise TransitionError(refusal)
        if action != Action.APPROVE:
            _require_reason(reason)
        _require(locked, [Status.PROPOSED], verb)
        if action == Action.APPROVE and not locked.summary.strip():
            raise MissingSummary(NO_SUMMARY)
        snapshot = changes.snapshot(locked) if action == Action.REQUEST_CHANGES else {}
        return _move(
            locked, actor=moderator, action=action, to=to, reason=reason, snapshot=snapshot
        )


def _lock(source):
    return Source.objects.select_for_update().get(pk=source.pk)


def _require_moderator(user):
    refusal = review_refusal(user)
    if refusal:
        raise TransitionError(refusal)


def _require_reason(reason):
    if not (reason or "").strip():
        raise TransitionError(
            "Please give a reason: it is sent to the proposer and shown in the log."
        )


def _require(source, allowed, verb):
    if source.status not in allowed:
        raise TransitionError(
            f"This source is already {source.get_status_display().lower()}, "
            f"so it cannot be {verb}. Nothing was changed."
        )


def _move(source, *, actor, action, to, reason="", snapshot=None):
    """Record the new status, the decision and its event; e-mail the proposer after commit."""
    event = ModerationEvent.objects.create(
        source=source,
        actor=actor,
        action=action,
        from_status=source.status,
        to_status=to,
        reason=reason.strip(),
        snapshot=snapshot or {},
    )
    source.status = to
    update_fields = ["status", "updated_at"]
    if action in ModerationEvent.DECISIONS:
        source.decided_by = actor
        source.decided_at = event.created_at
        source.decision_reason = event.reason
        update_fields += ["decided_by", "decided_at", "decision_reason"]
    elif action == Action.RESUBMIT:
        # The request for changes is answered: it stays in the history, not as the decision.
        source.decided_by = None
        source.decided_at = None
        source.decision_reason = ""
        update_fields += ["decided_by", "decided_at", "decision_reason"]
    if to == Status.APPROVED:
        source.approved_at = event.created_at
        update_fields.append("approved_at")
        if source.review_by is None:
            source.review_by = reviews.default_review_by(source.kind)
            update_fields.append("review_by")
    source.save(update_fields=update_fields)
    transaction.on_commit(lambda: notifications.decision(event), robust=True)
    if to == Status.APPROVED:
        transaction.on_commit(partial(store_citations, [source.pk]), robust=True)
    if to == Status.APPROVED and source.url and settings.WAYBACK_SAVE_URL:
        # So that an archived copy exists before the link can die; best effort.
        transaction.on_commit(partial(tasks.request_archive.enqueue, source.url), robust=True)
    return source


def _save_checking_duplicates(source, attempts=3):
    """Save, turning a lost race for the URL or DOI into DuplicateSource; a lost race for the
    slug (two proposals with the same title at once) just takes the next free slug."""
    for attempt in range(attempts):
        try:
            with transaction.atomic():
                source.save()
            return
        except IntegrityError as error:
            message = str(error)
            if any(key in message for key in DUPLICATE_KEY_ERRORS):
                raise DuplicateSource(
                    "Another source in the library or the queue has this URL or DOI."
                ) from error
            if "slug" not in message or attempt == attempts - 1:
                raise
            source.assign_slug()
