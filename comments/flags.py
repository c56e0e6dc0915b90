"""Flags and moderators' decisions on comments.

Enough distinct members flagging a comment hold it back until a moderator looks; a single flag
for patient-identifiable information holds it at once, because such text must never stay public
while it waits. Hiding and restoring are recorded in the public log, without the comment's text.

So that one member cannot silence a discussion, flags are bounded: FLAGS_PER_HOUR per member,
and only PATIENT_DATA_HOLDS_PER_DAY of a member's patient-data flags hold at once (later ones
wait in the moderators' queue with the comment still visible). A moderator who finds a member's
flags unfounded dismisses them all and restores what they held in one action.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from sources.models import ModerationEvent

from .discussion import DiscussionError, adjust_count
from .models import Comment, Flag
from .permissions import flag_refusal, moderate_refusal, restore_refusal

logger = logging.getLogger(__name__)

Status = Comment.Status
Action = ModerationEvent.Action

UNFOUNDED = "The flags that held it back were found unfounded."


class FlagLimitReached(DiscussionError):
    pass


def flags_left_this_hour(member):
    """How many more flags the member may send in the current hour."""
    since = timezone.now() - timedelta(hours=1)
    sent = Flag.objects.filter(member=member, created_at__gte=since).count()
    return max(settings.FLAGS_PER_HOUR - sent, 0)


def patient_data_holds_left_today(member):
    """How many more of the member's patient-data flags may hold a comment at once today."""
    since = timezone.now() - timedelta(days=1)
    sent = Flag.objects.filter(
        member=member, reason=Flag.Reason.PATIENT_DATA, created_at__gte=since
    ).count()
    return max(settings.PATIENT_DATA_HOLDS_PER_DAY - sent, 0)


def flag(*, comment, member, reason, note=""):
    """Record one member's flag; hold the comment back when the flags say so."""
    refusal = flag_refusal(comment, member)
    if refusal:
        raise DiscussionError(refusal)
    with transaction.atomic():
        # Lock the member's row first, so two flags sent at once cannot both pass the limits.
        get_user_model().objects.select_for_update().filter(pk=member.pk).first()
        if flags_left_this_hour(member) == 0:
            raise FlagLimitReached(
                f"You have sent {settings.FLAGS_PER_HOUR} flags in the last hour, the most the "
                "library takes from one member. Please try again later: your flag is still in "
                "the form below."
            )
        holds_at_once = reason != Flag.Reason.PATIENT_DATA or patient_data_holds_left_today(member)
        locked = Comment.objects.select_for_update().get(pk=comment.pk)
        refusal = flag_refusal(locked, member)  # it may have changed since it was read
        if refusal:
            raise DiscussionError(refusal)
        try:
            with transaction.atomic():
                Flag.objects.create(comment=locked, member=member, reason=reason, note=note)
        except IntegrityError:
            raise DiscussionError("You have already flagged this comment.") from None
        open_flags = locked.flags.filter(dismissed_at__isnull=True)
        if (reason == Flag.Reason.PATIENT_DATA and holds_at_once) or _enough_flaggers(open_flags):
            locked.status = Status.HELD
            locked.save(update_fields=["status"])
            adjust_count(locked.target, -1)
    return locked


def _enough_flaggers(open_flags):
    return open_flags.values("member").distinct().count() >= settings.COMMENT_FLAG_THRESHOLD


def flaggers():
    """Members with open flags, most first, with how many comments their flags now hold back."""
    is_open = Q(flags__dismissed_at__isnull=True)
    open_flag = Flag.objects.filter(member=OuterRef("pk"), dismissed_at__isnull=True)
    return (
        get_user_model()
        .objects.filter(Exists(open_flag))
        .annotate(
            open_flags=Count("flags", filter=is_open),
            holding=Count("flags", filter=is_open & Q(flags__comment__status=Status.HELD)),
        )
        .order_by("-open_flags", "username")
    )


def dismiss_member_flags(*, member, moderator):
    """A moderator finds a member's flags unfounded: all their open flags are closed, and every
    comment held back that the remaining flags would not hold comes back (logged publicly, as a
    restore, without naming the member). Returns how many flags and comments that touched."""
    refusal = moderate_refusal(moderator)
    if refusal:
        raise DiscussionError(refusal)
    with transaction.atomic():
        # The member's row first, as flag() takes it, so no new flag of theirs slips in; then the
        # comments, in a fixed order, before their flags, as hide() and restore() take them.
        get_user_model().objects.select_for_update().filter(pk=member.pk).first()
        members_flags = Flag.objects.filter(member=member, dismissed_at__isnull=True)
        comment_ids = list(members_flags.values_list("comment_id", flat=True))
        comments = list(
            Comment.objects.select_for_update().filter(pk__in=comment_ids).order_by("pk")
        )
        dismissed = members_flags.update(dismissed_at=timezone.now())
        restored = 0
        for comment in comments:
            open_flags = comment.flags.filter(dismissed_at__isnull=True)
            patient_data = open_flags.filter(reason=Flag.Reason.PATIENT_DATA).exists()
            if comment.status != Status.HELD or patient_data or _enough_flaggers(open_flags):
                continue
            # Other members' flags stay open for a moderator to weigh on their own.
            comment.status = Status.VISIBLE
            comment.save(update_fields=["status"])
            adjust_count(comment.target, +1)
            ModerationEvent.objects.create(
                source=comment.source,
                theme=comment.theme,
                actor=moderator,
                action=Action.RESTORE_COMMENT,
                reason=UNFOUNDED,
            )
            restored += 1
    logger.info(
        "Moderator %s dismissed %d open flags by member %s and restored %d comments",
        moderator.username,
        dismissed,
        member.username,
        restored,
    )
    return dismissed, restored


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
        refusal = restore_refusal(locked, moderator)
        if refusal:
            raise DiscussionError(refusal)
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
    refusal = moderate_refusal(moderator)
    if refusal:
        raise DiscussionError(refusal)
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
