"""Review dates and successors: a source in the library is looked at again by its "review by"
date (set on approval from its kind, then by the moderator who reviews it), and can be marked as
superseded by a newer source, staying readable with a pointer to its successor. Every review and
supersession is an entry in the public log."""

import calendar
from datetime import date

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from sources.access import is_moderator
from sources.lists.alerts import notify_owners_of
from sources.models import ModerationEvent, Source

Action = ModerationEvent.Action


class ReviewError(Exception):
    """A review that cannot be recorded; the message says why."""


def add_months(day, months):
    """The same day `months` later (the month's last day when it is shorter)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def review_months(kind):
    """How many months a source of this kind stays in the library before its next review."""
    return Source.REVIEW_MONTHS.get(kind, 36)


def default_review_by(kind, today=None):
    """When a source of this kind should first be reviewed, counted from `today`."""
    today = today or timezone.localdate()
    return add_months(today, review_months(kind))


def successor_candidates(source, query, *, chosen="", limit=10):
    """What a moderator can pick as the source that replaces `source`: (the source in the
    library at the address `chosen`, or None; the others whose title holds every word of
    `query`, newest first)."""
    others = (
        Source.objects.approved().exclude(pk=source.pk).only("pk", "slug", "title", "kind", "year")
    )
    slug = chosen.strip().rstrip("/").rsplit("/", 1)[-1]
    picked = others.filter(slug=slug).first() if slug else None
    words = query.split()[:8]
    if not words:
        return picked, []
    found = others.exclude(pk=picked.pk) if picked else others
    for word in words:
        found = found.filter(title__icontains=word)
    return picked, list(found.order_by(F("year").desc(nulls_last=True), "title")[:limit])


def due(today=None):
    """Sources in the library whose review date has come, the most overdue first."""
    today = today or timezone.localdate()
    return (
        Source.objects.approved()
        .filter(review_by__lte=today)
        .select_related("superseded_by")
        .order_by("review_by", "pk")
    )


def record_review(*, source, moderator, note, next_review_by, superseded_by=None):
    """Record that a moderator reviewed a source: the next review date, optionally the newer
    source that replaces it, and the note, all in the public log."""
    with transaction.atomic():
        locked = Source.objects.select_for_update().get(pk=source.pk)
        if not is_moderator(moderator):
            raise ReviewError("Only moderators can review sources.")
        if locked.status != Source.Status.APPROVED:
            raise ReviewError("Only sources in the library are reviewed.")
        note = (note or "").strip()
        if not note:
            raise ReviewError("Say what you checked: the note is shown in the public log.")
        if next_review_by <= timezone.localdate():
            raise ReviewError("The next review date must be in the future.")
        if superseded_by is not None and superseded_by.pk != locked.superseded_by_id:
            if superseded_by.pk == locked.pk or superseded_by.status != Source.Status.APPROVED:
                raise ReviewError("A source can only be superseded by another one in the library.")
            locked.superseded_by = superseded_by
            ModerationEvent.objects.create(
                source=locked,
                actor=moderator,
                action=Action.SUPERSEDE,
                from_status=locked.status,
                to_status=locked.status,
                reason=f"Superseded by “{superseded_by.title}”.",
            )
            transaction.on_commit(lambda: notify_owners_of(locked, "superseded"), robust=True)
        locked.review_by = next_review_by
        locked.save(update_fields=["review_by", "superseded_by", "updated_at"])
        ModerationEvent.objects.create(
            source=locked,
            actor=moderator,
            action=Action.REVIEW,
            from_status=locked.status,
            to_status=locked.status,
            reason=f"{note} Next review by {next_review_by:%-d %B %Y}.",
        )
    return locked
