"""What a person may do with a source: each rule written once, as the reason for a refusal.

A `*_refusal(source, user)` function returns why `user` may not do it, or "" when they may. The
services call them before changing anything; views and templates ask a `SourcePermissions`,
built once per request, which answers from the same functions. Who is a member or a moderator is
sources/access.py's question.
"""

from functools import cached_property

from sources.access import is_member, is_moderator
from sources.models import Source

NOT_LIVE = "Only sources in the library or in the queue can be endorsed."
MEMBERS_ONLY = "Log in with a verified e-mail address to do that."


def is_proposer(source, user):
    """Whether `user` proposed `source` (the starter library's sources have no proposer)."""
    return (
        user.is_authenticated and source.proposer_id is not None and source.proposer_id == user.pk
    )


def edit_refusal(source, user):
    """A moderator may always edit; the proposer while the proposal is open."""
    if is_moderator(user):
        return ""
    if not is_proposer(source, user):
        return "Only the member who proposed this source can edit it."
    if not source.is_open:
        return (
            f"This source is {source.get_status_display().lower()}, so its proposer can no "
            "longer edit it: a proposal can be edited only while it is open."
        )
    return ""


def withdraw_refusal(source, user):
    """The proposer may take back their proposal while it is open."""
    if not is_proposer(source, user):
        return "Only the member who proposed this source can withdraw it."
    if not source.is_open:
        return (
            f"This source is already {source.get_status_display().lower()}, "
            "so it cannot be withdrawn. Nothing was changed."
        )
    return ""


def endorse_refusal(source, user):
    """Members may endorse sources in the library or the queue, except their own proposals."""
    if source.status not in Source.LIVE_STATUSES:
        return NOT_LIVE
    if not is_member(user):
        return MEMBERS_ONLY
    if is_proposer(source, user):
        return "You cannot endorse your own proposal."
    return ""


def review_refusal(user):
    """Moderators review any source: its review page, its corrections, retiring it."""
    if not is_moderator(user):
        return "Only moderators can decide on proposals."
    return ""


def decide_refusal(source, user):
    """A moderator decides on proposals somebody else made: a proposer never judges their own.
    (Whether the source is still open to a decision is the service's check.)"""
    refusal = review_refusal(user)
    if refusal:
        return refusal
    if is_proposer(source, user):
        return "You proposed this source, so another moderator must decide on it."
    return ""


def comment_refusal(source, user):
    """Members may discuss sources in the library or the queue."""
    if source.status not in Source.LIVE_STATUSES:
        return "This source is not open for discussion."
    if not is_member(user):
        return MEMBERS_ONLY
    return ""


class SourcePermissions:
    """What `user` may do with `source`, each answer computed at most once.

    `can_view`, `can_follow`, `can_edit`, `can_withdraw`, `can_endorse`, `can_review`,
    `can_decide` and `can_comment` are booleans; the matching `*_refusal` attributes say why not
    ("" when allowed), for the pages that show the reason.
    """

    def __init__(self, source, user):
        self.source = source
        self.user = user

    @cached_property
    def is_proposer(self):
        return is_proposer(self.source, self.user)

    @cached_property
    def can_view(self):
        """The library is open to all and every source to moderators; any other source is
        looked up as `Source.objects.visible_to` says (one query)."""
        if self.source.is_approved or is_moderator(self.user):
            return True
        return Source.objects.visible_to(self.user).contains(self.source)

    @cached_property
    def can_follow(self):
        """Members follow sources in the library, for the news in their weekly digest."""
        return self.source.is_approved and is_member(self.user)

    @cached_property
    def edit_refusal(self):
        return edit_refusal(self.source, self.user)

    @cached_property
    def withdraw_refusal(self):
        return withdraw_refusal(self.source, self.user)

    @cached_property
    def endorse_refusal(self):
        return endorse_refusal(self.source, self.user)

    @cached_property
    def review_refusal(self):
        return review_refusal(self.user)

    @cached_property
    def decide_refusal(self):
        return decide_refusal(self.source, self.user)

    @cached_property
    def comment_refusal(self):
        return comment_refusal(self.source, self.user)

    @property
    def can_edit(self):
        return not self.edit_refusal

    @property
    def can_withdraw(self):
        return not self.withdraw_refusal

    @property
    def can_endorse(self):
        return not self.endorse_refusal

    @property
    def can_review(self):
        return not self.review_refusal

    @property
    def can_decide(self):
        return not self.decide_refusal

    @property
    def can_comment(self):
        return not self.comment_refusal

    @property
    def can_manage(self):
        """Whether the source page offers any of edit, withdraw or review."""
        return self.can_edit or self.can_withdraw or self.can_review
