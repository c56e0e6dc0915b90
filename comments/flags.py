"""Flags and moderators' decisions on comments.

Enough distinct members flagging a comment hold it back until a moderator looks; a single flag
for patient-identifiable information holds it at once, because such text must never stay public
while it waits. Hiding and restoring are recorded in the public log, without the comment's text.
"""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from sources.access import is_moderator
from sources.models import ModerationEvent

from .discussion import DiscussionError, adjust_count
from .models import Comment, Flag

Status = Comment.Status
Action = ModerationEvent.Action


def flag(*, comment, member, reason, note=""):
    """Record one member's flag; hold the comment back when the flags say so."""
    if comment.author_id == member.pk:
        raise DiscussionError("You cannot flag your own comment; edit or delete it instead.")
    with transaction.atomic():
        locked = Comment.objects.select_for_update().get(pk=comment.pk)
        if locked.status == Status.DELETED:
            raise DiscussionError("This comment has been deleted.")
        if locked.status != Status.VISIBLE:
            raise DiscussionError("This comment is already hidden while the moderators look.")
        try:
            with transaction.atomic():
                Flag.objects.create(comment=locked, member=member, reason=reason, note=note)
        except IntegrityError:
            raise DiscussionError("You have already flagged this comment.") from None
        open_flags = locked.flags.filter(dismissed_at__isnull=True)
        if locked.status == Status.VISIBLE and (
            reason == Flag.Reason.PATIENT_DATA
            or open_flags.values("member").distinct().count() >= settings.COMMENT_FLAG_THRESHOLD
        ):
            locked.status = Status.HELD
            locked.save(update_fields=["status"])
            adjust_count(locked.target, -1)
    return locked


def hide(*, comment, moderator, reason):
    """A moderator hides a comment, saying why in the public log."""
    with transaction.atomic():
        locked = _lock_for(comment, moderator)
        if not reason.strip():
            raise DiscussionError("Give a reason for hiding the comment: the log shows it.")
        if locked.status in (Status.HIDDEN, Status.DELETED):
            raise DiscussionError(f"This comment is already {locked.get_status_display().lower()}.")
        if locked.status == Status.VISIBLE:
            adjust_count(locked.target, -1)
        _settle(locked, moderator, Status.HIDDEN, Action.HIDE_COMMENT, reason.strip())
    return locked


def restore(*, comment, moderator, reason=""):
    """A moderator puts a held or hidden comment back in the discussion."""
    with transaction.atomic():
        locked = _lock_for(comment, moderator)
        if locked.status not in (Status.HELD, Status.HIDDEN):
            raise DiscussionError("Only a held or hidden comment can be restored.")
        adjust_count(locked.target, +1)
        _settle(locked, moderator, Status.VISIBLE, Action.RESTORE_COMMENT, reason.strip())
    return locked


def dismiss_flags(*, comment, moderator):
    """A moderator finds the flags unfounded: they are closed and a held comment comes back."""
    with transaction.atomic():
        locked = _lock_for(comment, moderator)
        locked.flags.filter(dismissed_at__isnull=True).update(dismissed_at=timezone.now())
        if locked.status == Status.HELD:
            locked.status = Status.VISIBLE
            locked.save(update_fields=["status"])
            adjust_count(locked.target, +1)
    return locked


def _lock_for(comment, moderator):
    if not is_moderator(moderator):
        raise DiscussionError("Only moderators can do that.")
    return Comment.objects.select_for_update().get(pk=comment.pk)


def _settle(comment, moderator, status, action, reason):
    comment.status = status
    comment.moderation_reason = reason
    comment.save(update_fields=["status", "moderation_reason"])
    comment.flags.filter(dismissed_at__isnull=True).update(dismissed_at=timezone.now())
    ModerationEvent.objects.create(
        source=comment.source,
        theme=comment.theme,
        actor=moderator,
        action=action,
        reason=reason,
    )
