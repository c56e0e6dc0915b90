"""What a person may do with a comment: each rule written once, as the reason for a refusal.

As in sources/permissions.py: a `*_refusal(comment, user)` function returns why `user` may not
do it, or "" when they may; the services call them before changing anything, and views and
templates ask a `CommentPermissions` (in a template, `{% comment_permissions comment as
permissions %}`), which answers from the same functions.
"""

from functools import cached_property

from sources.access import is_member, is_moderator
from sources.models import Theme
from sources.permissions import MEMBERS_ONLY, comment_refusal

from .models import Comment

Status = Comment.Status


def post_refusal(target, user):
    """Members may discuss any theme, and the sources open for discussion
    (sources/permissions.py says which)."""
    if isinstance(target, Theme):
        return "" if is_member(user) else MEMBERS_ONLY
    return comment_refusal(target, user)


def is_author(comment, user):
    """Whether `user` wrote `comment` (a former member's comment has no author)."""
    return user.is_authenticated and comment.author_id is not None and comment.author_id == user.pk


def reply_refusal(comment, user):
    """Members may answer a comment that is still in the discussion."""
    if not is_member(user):
        return MEMBERS_ONLY
    if not comment.is_visible:
        return (
            "This comment has been hidden or deleted, so it takes no more replies. Your "
            "text is still in the form below."
        )
    return ""


def edit_refusal(comment, user):
    """The author may rewrite their comment while it is visible."""
    if not is_author(comment, user):
        return "Only the author of a comment can change it."
    if not is_member(user):
        return MEMBERS_ONLY
    if not comment.is_visible:
        return "Only a visible comment can be edited."
    return ""


def delete_refusal(comment, user):
    """The author may delete their comment, unless a moderator has hidden it."""
    if not is_author(comment, user):
        return "Only the author of a comment can change it."
    if not is_member(user):
        return MEMBERS_ONLY
    if comment.is_hidden:
        # Deleting would erase the text the moderator's decision is about, and replace the
        # public "hidden by a moderator" with "deleted by its author".
        return (
            "A moderator has hidden this comment, so it stays as the moderator left it. "
            "If you want it removed, ask the moderators."
        )
    return ""


def flag_refusal(comment, user):
    """Members may flag somebody else's comment while it is in the discussion."""
    if is_author(comment, user):
        return "You cannot flag your own comment; edit or delete it instead."
    if not is_member(user):
        return MEMBERS_ONLY
    if comment.is_deleted:
        return "This comment has been deleted."
    if not comment.is_visible:
        return "This comment is already hidden while the moderators look."
    return ""


def moderate_refusal(user):
    """Only moderators hide comments, restore them and dismiss flags."""
    if not is_moderator(user):
        return "Only moderators can do that."
    return ""


def restore_refusal(comment, user):
    """A moderator may put a held or hidden comment back in the discussion."""
    refusal = moderate_refusal(user)
    if refusal:
        return refusal
    if comment.status not in (Status.HELD, Status.HIDDEN):
        return "Only a held or hidden comment can be restored."
    return ""


class CommentPermissions:
    """What `user` may do with `comment`, each answer computed at most once.

    `can_reply`, `can_edit`, `can_delete`, `can_flag` and `can_restore` are booleans; the
    matching `*_refusal` attributes say why not ("" when allowed).
    """

    def __init__(self, comment, user):
        self.comment = comment
        self.user = user

    @cached_property
    def reply_refusal(self):
        return reply_refusal(self.comment, self.user)

    @cached_property
    def edit_refusal(self):
        return edit_refusal(self.comment, self.user)

    @cached_property
    def delete_refusal(self):
        return delete_refusal(self.comment, self.user)

    @cached_property
    def flag_refusal(self):
        return flag_refusal(self.comment, self.user)

    @cached_property
    def restore_refusal(self):
        return restore_refusal(self.comment, self.user)

    @property
    def can_reply(self):
        return not self.reply_refusal

    @property
    def can_edit(self):
        return not self.edit_refusal

    @property
    def can_delete(self):
        return not self.delete_refusal

    @property
    def can_flag(self):
        return not self.flag_refusal

    @property
    def can_restore(self):
        return not self.restore_refusal
