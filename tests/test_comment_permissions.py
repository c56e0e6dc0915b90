"""Who may post, reply, edit, delete, flag and moderate comments, persona by persona.

anonymous -> log-in redirect; unverified -> the 403 page asking them to verify their e-mail;
a member acting on someone else's comment -> 404 (edit, delete) or 403 (moderation); the right
person -> the effect. Every refusal is checked to leave the database as it was.
"""

import pytest
from django.urls import reverse

from comments import flags
from comments.models import Comment, Flag
from sources.models import ModerationEvent

from .factories import CommentFactory, MemberFactory
from .permission_matrix import (
    DONE,
    FORBIDDEN,
    LOGIN,
    NOT_FOUND,
    OK,
    REFUSED,
    VERIFY,
    check,
    table_for,
)

pytestmark = pytest.mark.django_db


EVERYONE = ["anonymous", "unverified", "member", "author", "moderator", "staff"]
table = table_for(EVERYONE)
BODY = "The original words of the author."

Status = Comment.Status


@pytest.fixture
def author(db):
    return MemberFactory(username="author", display_name="Ada Author")


@pytest.fixture
def comment(theme, author):
    return CommentFactory(theme=theme, author=author, body=BODY)


def snapshot():
    """Everything a comment action could change."""
    return (
        list(Comment.objects.order_by("pk").values_list("pk", "status", "body", "edited_at")),
        list(Flag.objects.order_by("pk").values_list("pk", "dismissed_at")),
        ModerationEvent.objects.count(),
    )


def theme_count(theme):
    theme.refresh_from_db(fields=["comment_count"])
    return theme.comment_count


# Writing


@table(anonymous=LOGIN, unverified=VERIFY, member=DONE, author=DONE, moderator=DONE, staff=DONE)
def test_post(client_as, persona, expected, theme, request):
    url = reverse("comments:post_on_theme", args=[theme.slug])

    response = client_as(persona).post(url, {"body": "A new thought"})

    check(response, expected, url)
    posted = Comment.objects.filter(body="A new thought")
    if expected == DONE:
        assert posted.get().author == request.getfixturevalue(persona)
        assert theme_count(theme) == 1
    else:
        assert not posted.exists()
        assert theme_count(theme) == 0


@table(anonymous=LOGIN, unverified=VERIFY, member=DONE, author=DONE, moderator=DONE, staff=DONE)
def test_reply(client_as, persona, expected, theme, comment):
    url = reverse("comments:post_on_theme", args=[theme.slug])

    response = client_as(persona).post(url, {"body": "A reply", "parent": comment.pk})

    check(response, expected, url)
    replies = Comment.objects.filter(parent=comment)
    assert replies.count() == (expected == DONE)
    assert theme_count(theme) == 1 + (expected == DONE)


@table(
    anonymous=LOGIN,
    unverified=VERIFY,
    member=NOT_FOUND,
    author=OK,
    moderator=NOT_FOUND,
    staff=NOT_FOUND,
)
def test_edit_page(client_as, persona, expected, comment):
    url = reverse("comments:edit", args=[comment.pk])

    response = client_as(persona).get(url)

    check(response, expected, url)
    if expected == OK:
        assert BODY in response.content.decode()


@table(
    anonymous=LOGIN,
    unverified=VERIFY,
    member=NOT_FOUND,
    author=DONE,
    moderator=NOT_FOUND,
    staff=NOT_FOUND,
)
def test_edit(client_as, persona, expected, comment):
    url = reverse("comments:edit", args=[comment.pk])
    before = snapshot()

    response = client_as(persona).post(url, {"body": "Rewritten"})

    check(response, expected, url)
    comment.refresh_from_db()
    if expected == DONE:
        assert comment.body == "Rewritten"
        assert comment.edited_at is not None
    else:
        assert snapshot() == before
        assert comment.body == BODY


@table(
    anonymous=LOGIN,
    unverified=VERIFY,
    member=NOT_FOUND,
    author=OK,
    moderator=NOT_FOUND,
    staff=NOT_FOUND,
)
def test_delete_page(client_as, persona, expected, comment):
    url = reverse("comments:delete", args=[comment.pk])

    response = client_as(persona).get(url)

    check(response, expected, url)
    assert Comment.objects.get(pk=comment.pk).status == Status.VISIBLE


@table(
    anonymous=LOGIN,
    unverified=VERIFY,
    member=NOT_FOUND,
    author=DONE,
    moderator=NOT_FOUND,
    staff=NOT_FOUND,
)
def test_delete(client_as, persona, expected, comment, theme):
    url = reverse("comments:delete", args=[comment.pk])
    before = snapshot()

    response = client_as(persona).post(url)

    check(response, expected, url)
    comment.refresh_from_db()
    if expected == DONE:
        assert comment.status == Status.DELETED
        assert comment.body == ""
        assert theme_count(theme) == 0
    else:
        assert snapshot() == before
        assert theme_count(theme) == 1


# Flagging


@table(anonymous=LOGIN, unverified=VERIFY, member=OK, author=OK, moderator=OK, staff=OK)
def test_flag_page(client_as, persona, expected, comment):
    url = reverse("comments:flag", args=[comment.pk])

    response = client_as(persona).get(url)

    check(response, expected, url)
    assert not Flag.objects.exists()


@table(
    anonymous=LOGIN,
    unverified=VERIFY,
    member=DONE,
    author=REFUSED,
    moderator=DONE,
    staff=DONE,
)
def test_flag(client_as, persona, expected, comment, theme, request):
    url = reverse("comments:flag", args=[comment.pk])
    before = snapshot()

    response = client_as(persona).post(url, {"reason": Flag.Reason.SPAM})

    check(response, expected, url, refused_to=f"{theme.get_absolute_url()}#discussion")
    if expected == DONE:
        assert Flag.objects.get().member == request.getfixturevalue(persona)
    else:
        assert snapshot() == before


# Moderating


MODERATORS_ONLY = {
    "anonymous": LOGIN,
    "unverified": VERIFY,
    "member": FORBIDDEN,
    "author": FORBIDDEN,
    "moderator": DONE,
    "staff": FORBIDDEN,
}


@table(**{**MODERATORS_ONLY, "moderator": OK})
def test_flagged_tab(client_as, persona, expected, comment, other_member):
    flags.flag(comment=comment, member=other_member, reason=Flag.Reason.SPAM)
    url = reverse("comments:flagged")

    response = client_as(persona).get(url)

    check(response, expected, url)
    if expected == OK:
        assert BODY in response.content.decode()
    else:
        assert BODY not in response.content.decode()


@table(**MODERATORS_ONLY)
def test_hide(client_as, persona, expected, comment, theme):
    url = reverse("comments:hide", args=[comment.pk])
    before = snapshot()

    response = client_as(persona).post(url, {"reason": "Abusive."})

    check(response, expected, url)
    comment.refresh_from_db()
    if expected == DONE:
        assert comment.status == Status.HIDDEN
        assert ModerationEvent.objects.get().action == ModerationEvent.Action.HIDE_COMMENT
        assert theme_count(theme) == 0
    else:
        assert snapshot() == before
        assert theme_count(theme) == 1


@table(**MODERATORS_ONLY)
def test_restore(client_as, persona, expected, comment, theme, moderator):
    flags.hide(comment=comment, moderator=moderator, reason="Abusive.")
    url = reverse("comments:restore", args=[comment.pk])
    before = snapshot()

    response = client_as(persona).post(url)

    check(response, expected, url)
    comment.refresh_from_db()
    if expected == DONE:
        assert comment.status == Status.VISIBLE
        assert theme_count(theme) == 1
    else:
        assert snapshot() == before
        assert theme_count(theme) == 0


@table(**MODERATORS_ONLY)
def test_dismiss(client_as, persona, expected, comment, theme, other_member):
    flags.flag(comment=comment, member=other_member, reason=Flag.Reason.PATIENT_DATA)
    url = reverse("comments:dismiss", args=[comment.pk])
    before = snapshot()

    response = client_as(persona).post(url)

    check(response, expected, url)
    comment.refresh_from_db()
    if expected == DONE:
        assert comment.status == Status.VISIBLE
        assert Flag.objects.get().dismissed_at is not None
        assert theme_count(theme) == 1
    else:
        assert snapshot() == before
        assert comment.status == Status.HELD
        assert theme_count(theme) == 0


# Methods


@pytest.mark.parametrize("persona", ["anonymous", "member", "moderator"])
@pytest.mark.parametrize("name", ["post_on_theme", "post_on_source", "hide", "restore", "dismiss"])
def test_post_only_endpoints_refuse_get(client_as, persona, name, theme, source, comment):
    args = {"post_on_theme": [theme.slug], "post_on_source": [source.slug]}.get(name, [comment.pk])
    before = snapshot()

    response = client_as(persona).get(reverse(f"comments:{name}", args=args))

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert snapshot() == before


# Proposals: their discussions are for members only


def test_anonymous_cannot_see_a_proposal_or_its_discussion(client, proposal):
    CommentFactory(source=proposal, body="Said about a proposal")

    response = client.get(proposal.get_absolute_url())

    assert response.status_code == 404
    assert "Said about a proposal" not in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("anonymous", LOGIN), ("unverified", VERIFY), ("member", DONE), ("staff", DONE)],
)
def test_post_on_a_proposal(client_as, persona, expected, proposal):
    url = reverse("comments:post_on_source", args=[proposal.slug])

    response = client_as(persona).post(url, {"body": "On a proposal"})

    check(response, expected, url)
    assert Comment.objects.filter(source=proposal).count() == (expected == DONE)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("anonymous", LOGIN), ("unverified", VERIFY), ("member", OK)],
)
def test_flag_page_on_a_proposal(client_as, persona, expected, proposal):
    comment = CommentFactory(source=proposal, body="Said about a proposal")
    url = reverse("comments:flag", args=[comment.pk])

    response = client_as(persona).get(url)

    check(response, expected, url)
    if expected != OK:
        assert "Said about a proposal" not in response.content.decode()


def test_member_cannot_flag_a_comment_on_a_proposal_they_cannot_see(client, member, proposal):
    comment = CommentFactory(source=proposal, body="Said about a proposal")
    proposal.status = proposal.Status.DECLINED
    proposal.save(update_fields=["status"])

    client.force_login(member)

    response = client.post(reverse("comments:flag", args=[comment.pk]), {"reason": "spam"})

    assert response.status_code == 404
    assert "Said about a proposal" not in response.content.decode()
    assert not Flag.objects.exists()
