"""Members flag comments; enough flags (or one about patient data) hold a comment back until a
moderator hides it, restores it or dismisses the flags. Hiding and restoring go in the public log
with the moderator's reason, never with the comment's text."""

import pytest
from django.urls import reverse

from comments import discussion, flags
from comments.discussion import DiscussionError
from comments.models import Comment, Flag
from sources.models import ModerationEvent

from .factories import CommentFactory, MemberFactory

pytestmark = pytest.mark.django_db

Status = Comment.Status
HELD_TEXT = "hidden while a moderator reviews it"


def flag_url(comment):
    return reverse("comments:flag", args=[comment.pk])


def as_member(client, user):
    client.force_login(user)
    return client


def status_of(comment):
    return Comment.objects.get(pk=comment.pk).status


def count_on(target):
    target.refresh_from_db(fields=["comment_count"])
    return target.comment_count


def visible_comments(target):
    return Comment.objects.on(target).filter(status=Status.VISIBLE).count()


@pytest.fixture
def comment(theme, other_member):
    return CommentFactory(theme=theme, author=other_member, body="Our ward tried this twice.")


def flag_by_new_members(comment, number, reason=Flag.Reason.SPAM):
    for _ in range(number):
        flags.flag(comment=comment, member=MemberFactory(), reason=reason)


# Flagging


def test_member_flags_a_comment_with_a_reason(client, member, comment, theme):
    response = as_member(client, member).post(
        flag_url(comment), {"reason": Flag.Reason.OFF_TOPIC, "note": ""}
    )

    assert response.status_code == 302
    assert response.url == f"{theme.get_absolute_url()}#discussion"
    flag = Flag.objects.get()
    assert (flag.comment, flag.member, flag.reason) == (comment, member, Flag.Reason.OFF_TOPIC)
    assert flag.dismissed_at is None
    assert status_of(comment) == Status.VISIBLE


def test_flag_page_offers_the_reasons(client, member, comment):
    response = as_member(client, member).get(flag_url(comment))

    page = response.content.decode()
    assert response.status_code == 200
    for _, label in Flag.Reason.choices:
        assert label in page


def test_a_member_flags_a_comment_only_once(client, member, comment):
    as_member(client, member).post(flag_url(comment), {"reason": Flag.Reason.SPAM})

    response = client.post(flag_url(comment), {"reason": Flag.Reason.ABUSIVE}, follow=True)

    assert "You have already flagged this comment." in response.content.decode()
    assert Flag.objects.filter(comment=comment, member=member).count() == 1
    assert Flag.objects.get().reason == Flag.Reason.SPAM


def test_a_member_cannot_flag_their_own_comment(client, other_member, comment):
    response = as_member(client, other_member).post(
        flag_url(comment), {"reason": Flag.Reason.SPAM}, follow=True
    )

    assert "You cannot flag your own comment" in response.content.decode()
    assert not Flag.objects.exists()


def test_something_else_needs_a_note(client, member, comment):
    response = as_member(client, member).post(
        flag_url(comment), {"reason": Flag.Reason.OTHER, "note": "  "}
    )

    assert response.status_code == 400
    assert "Tell the moderators what is wrong." in response.content.decode()
    assert not Flag.objects.exists()


def test_something_else_with_a_note_is_recorded(client, member, comment):
    as_member(client, member).post(
        flag_url(comment), {"reason": Flag.Reason.OTHER, "note": "Advertising a course."}
    )

    assert Flag.objects.get().note == "Advertising a course."


def test_flags_from_enough_distinct_members_hold_the_comment(
    client, member, comment, theme, settings
):
    settings.COMMENT_FLAG_THRESHOLD = 3
    flag_by_new_members(comment, 2)

    assert status_of(comment) == Status.VISIBLE
    assert count_on(theme) == 1
    assert comment.body in client.get(theme.get_absolute_url()).content.decode()

    as_member(client, member).post(flag_url(comment), {"reason": Flag.Reason.ABUSIVE})

    assert status_of(comment) == Status.HELD
    assert count_on(theme) == 0 == visible_comments(theme)
    client.logout()
    page = client.get(theme.get_absolute_url()).content.decode()
    assert HELD_TEXT in page
    assert comment.body not in page


def test_one_patient_data_flag_holds_the_comment_at_once(client, member, comment, theme):
    as_member(client, member).post(flag_url(comment), {"reason": Flag.Reason.PATIENT_DATA})

    assert status_of(comment) == Status.HELD
    assert count_on(theme) == 0 == visible_comments(theme)
    page = client.get(theme.get_absolute_url()).content.decode()
    assert HELD_TEXT in page
    assert comment.body not in page


def test_a_held_comment_takes_no_more_flags_and_keeps_its_count(comment, theme):
    flag_by_new_members(comment, 1, reason=Flag.Reason.PATIENT_DATA)

    with pytest.raises(DiscussionError, match="already hidden"):
        flag_by_new_members(comment, 1)

    assert status_of(comment) == Status.HELD
    assert Flag.objects.filter(comment=comment).count() == 1
    assert count_on(theme) == 0 == visible_comments(theme)


def test_a_deleted_comment_cannot_be_flagged(client, member, comment, other_member):
    discussion.delete(comment=comment, author=other_member)

    response = as_member(client, member).post(flag_url(comment), {"reason": Flag.Reason.SPAM})

    assert response.status_code == 404
    assert not Flag.objects.exists()


# Moderators


def test_moderator_hides_a_comment_with_a_reason(client, moderator, comment, theme):
    flag_by_new_members(comment, 2)

    response = as_member(client, moderator).post(
        reverse("comments:hide", args=[comment.pk]), {"reason": "Names a patient's ward."}
    )

    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.status == Status.HIDDEN
    assert comment.moderation_reason == "Names a patient's ward."
    assert count_on(theme) == 0 == visible_comments(theme)
    assert not Flag.objects.filter(dismissed_at__isnull=True).exists()
    event = ModerationEvent.objects.get()
    assert event.action == ModerationEvent.Action.HIDE_COMMENT
    assert event.reason == "Names a patient's ward."
    assert event.actor == moderator
    assert event.theme == theme
    assert event.source is None


def test_the_public_log_lists_a_hidden_comment_without_its_text(client, moderator, comment):
    flags.hide(comment=comment, moderator=moderator, reason="Abusive language.")
    client.logout()

    page = client.get("/moderation/log/").content.decode()

    assert "Hid a comment" in page
    assert "Abusive language." in page
    assert "Mo Moderator" in page
    assert comment.body not in page


def test_the_public_log_lists_a_hidden_comment_on_a_source(client, moderator, source):
    comment = CommentFactory(source=source, body="Text nobody should read in the log")
    flags.hide(comment=comment, moderator=moderator, reason="Off-topic advertising.")

    page = client.get("/moderation/log/").content.decode()

    assert ModerationEvent.objects.get().source == source
    assert "Off-topic advertising." in page
    assert "Text nobody should read in the log" not in page


@pytest.mark.parametrize("reason", ["", "   "])
def test_hiding_without_a_reason_is_refused(client, moderator, comment, theme, reason):
    response = as_member(client, moderator).post(
        reverse("comments:hide", args=[comment.pk]), {"reason": reason}, follow=True
    )

    assert "Give a reason" in response.content.decode()
    assert status_of(comment) == Status.VISIBLE
    assert count_on(theme) == 1
    assert not ModerationEvent.objects.exists()


def test_moderator_restores_a_hidden_comment(client, moderator, comment, theme):
    flags.hide(comment=comment, moderator=moderator, reason="Looked abusive.")
    assert count_on(theme) == 0

    as_member(client, moderator).post(
        reverse("comments:restore", args=[comment.pk]), {"reason": "On reflection, fair."}
    )

    comment.refresh_from_db()
    assert comment.status == Status.VISIBLE
    assert count_on(theme) == 1 == visible_comments(theme)
    event = ModerationEvent.objects.filter(action=ModerationEvent.Action.RESTORE_COMMENT).get()
    assert event.actor == moderator
    assert event.reason == "On reflection, fair."
    client.logout()
    assert comment.body in client.get(theme.get_absolute_url()).content.decode()


def test_moderator_restores_a_held_comment(client, moderator, comment, theme):
    flag_by_new_members(comment, 1, reason=Flag.Reason.PATIENT_DATA)

    as_member(client, moderator).post(reverse("comments:restore", args=[comment.pk]))

    assert status_of(comment) == Status.VISIBLE
    assert count_on(theme) == 1 == visible_comments(theme)
    assert not Flag.objects.filter(dismissed_at__isnull=True).exists()


def test_restoring_a_visible_comment_is_refused(client, moderator, comment, theme):
    response = as_member(client, moderator).post(
        reverse("comments:restore", args=[comment.pk]), follow=True
    )

    assert "Only a held or hidden comment can be restored." in response.content.decode()
    assert count_on(theme) == 1
    assert not ModerationEvent.objects.exists()


def test_moderator_dismisses_flags_on_a_held_comment(client, moderator, comment, theme, settings):
    settings.COMMENT_FLAG_THRESHOLD = 2
    flag_by_new_members(comment, 2)
    assert status_of(comment) == Status.HELD

    as_member(client, moderator).post(reverse("comments:dismiss", args=[comment.pk]))

    assert status_of(comment) == Status.VISIBLE
    assert count_on(theme) == 1 == visible_comments(theme)
    assert Flag.objects.count() == 2
    assert all(flag.dismissed_at is not None for flag in Flag.objects.all())
    assert not ModerationEvent.objects.exists()


def test_dismissing_flags_on_a_visible_comment_keeps_the_count(client, moderator, comment, theme):
    flag_by_new_members(comment, 1)

    as_member(client, moderator).post(reverse("comments:dismiss", args=[comment.pk]))

    assert status_of(comment) == Status.VISIBLE
    assert count_on(theme) == 1
    assert Flag.objects.get().dismissed_at is not None


def test_flagged_tab_lists_only_comments_with_open_flags(client, moderator, theme, source):
    open_flag = CommentFactory(theme=theme, body="Flagged and waiting")
    held = CommentFactory(source=source, body="Held back by a flag")
    dismissed = CommentFactory(theme=theme, body="Flags dismissed already")
    hidden = CommentFactory(theme=theme, body="Hidden by a moderator")
    CommentFactory(theme=theme, body="Never flagged")
    flag_by_new_members(open_flag, 1)
    flag_by_new_members(held, 1, reason=Flag.Reason.PATIENT_DATA)
    flag_by_new_members(dismissed, 1)
    flags.dismiss_flags(comment=dismissed, moderator=moderator)
    flag_by_new_members(hidden, 1)
    flags.hide(comment=hidden, moderator=moderator, reason="Spam.")

    response = as_member(client, moderator).get(reverse("comments:flagged"))

    assert response.status_code == 200
    assert list(response.context["comments"]) == [open_flag, held]
    assert list(response.context["hidden"]) == [hidden]
    page = response.content.decode()
    assert "Flagged and waiting" in page
    assert "Held back by a flag" in page
    assert "Flags dismissed already" not in page
    assert "Never flagged" not in page
