"""The answers views and templates read (sources/permissions.py, comments/permissions.py): the
same rules the services enforce, person by person, for the buttons a page offers."""

import pytest
from django.contrib.auth.models import AnonymousUser

from comments.models import Comment
from comments.permissions import CommentPermissions
from sources.models import Source
from sources.permissions import SourcePermissions

from .factories import CommentFactory, ModeratorFactory, ProposalFactory

pytestmark = pytest.mark.django_db


def allowed(permissions, *names):
    return {name for name in names if getattr(permissions, f"can_{name}")}


COMMENT_ACTIONS = ("reply", "edit", "delete", "flag", "restore")


@pytest.fixture
def comment(theme, member):
    return CommentFactory(theme=theme, author=member)


def test_a_comments_author_may_reply_edit_and_delete_but_not_flag(comment, member):
    permissions = CommentPermissions(comment, member)

    assert allowed(permissions, *COMMENT_ACTIONS) == {"reply", "edit", "delete"}
    assert permissions.flag_refusal == (
        "You cannot flag your own comment; edit or delete it instead."
    )


def test_another_member_may_reply_and_flag(comment, other_member):
    permissions = CommentPermissions(comment, other_member)

    assert allowed(permissions, *COMMENT_ACTIONS) == {"reply", "flag"}
    assert permissions.edit_refusal == "Only the author of a comment can change it."


@pytest.mark.parametrize("who", ["anonymous", "unverified"])
def test_a_reader_may_do_nothing_with_a_comment(comment, who, request):
    user = AnonymousUser() if who == "anonymous" else request.getfixturevalue(who)

    assert allowed(CommentPermissions(comment, user), *COMMENT_ACTIONS) == set()


def test_only_a_moderator_may_restore_a_hidden_comment(comment, member, other_member, moderator):
    Comment.objects.filter(pk=comment.pk).update(status=Comment.Status.HIDDEN)
    comment.refresh_from_db()

    assert allowed(CommentPermissions(comment, moderator), *COMMENT_ACTIONS) == {"restore"}
    assert allowed(CommentPermissions(comment, other_member), *COMMENT_ACTIONS) == set()
    # Its author may not even delete it: the moderator's decision stands.
    assert allowed(CommentPermissions(comment, member), *COMMENT_ACTIONS) == set()


def test_members_follow_sources_in_the_library_not_in_the_queue(source, proposal, member):
    assert SourcePermissions(source, member).can_follow
    assert not SourcePermissions(source, AnonymousUser()).can_follow
    assert SourcePermissions(proposal, member).can_view
    assert not SourcePermissions(proposal, member).can_follow
    assert not SourcePermissions(proposal, AnonymousUser()).can_view


def test_a_withdrawn_proposal_is_seen_by_its_proposer_and_moderators_only(
    proposal, proposer, member, moderator
):
    Source.objects.filter(pk=proposal.pk).update(status=Source.Status.WITHDRAWN)
    proposal.refresh_from_db()

    assert SourcePermissions(proposal, proposer).can_view
    assert SourcePermissions(proposal, moderator).can_view
    assert not SourcePermissions(proposal, member).can_view


def test_a_moderator_reviews_their_own_proposal_but_another_decides(theme):
    author = ModeratorFactory()
    own = ProposalFactory(proposer=author, themes=[theme])

    permissions = SourcePermissions(own, author)

    assert permissions.can_review and permissions.is_proposer
    assert not permissions.can_decide
    assert permissions.decide_refusal == (
        "You proposed this source, so another moderator must decide on it."
    )
    assert SourcePermissions(own, ModeratorFactory()).can_decide
