"""Discussions on themes and sources: posting, replying, editing and deleting comments, the
comment counts the library shows, the e-mails that go out and the limits on what members write.

Every test that changes a discussion checks the denormalized comment_count against the comments
themselves.
"""

import threading
from datetime import timedelta
from html.parser import HTMLParser

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from comments import discussion, flags
from comments.models import Comment, Flag
from sources.models import Source

from .factories import CommentFactory, MemberFactory, SourceFactory

pytestmark = pytest.mark.django_db

Status = Comment.Status


def post_url(target):
    name = "comments:post_on_source" if isinstance(target, Source) else "comments:post_on_theme"
    return reverse(name, args=[target.slug])


def visible_comments(target):
    """The count the target should show, recomputed from the comments themselves."""
    return Comment.objects.on(target).filter(status=Status.VISIBLE).count()


def assert_counts_exact(*targets):
    for target in targets:
        target.refresh_from_db(fields=["comment_count"])
        assert target.comment_count == visible_comments(target), target


def as_member(client, user):
    client.force_login(user)
    return client


class TextareaReader(HTMLParser):
    """The text inside each <textarea>, keyed by its name, entities decoded."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.values = {}
        self._current = None

    def handle_starttag(self, tag, attrs):
        if tag == "textarea":
            self._current = dict(attrs).get("name")
            self.values[self._current] = ""

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._current = None

    def handle_data(self, data):
        if self._current is not None:
            self.values[self._current] += data


def textareas(response):
    reader = TextareaReader()
    reader.feed(response.content.decode())
    return reader.values


# Posting


@pytest.mark.parametrize("target_name", ["theme", "source", "proposal"])
def test_member_comments_on_a_theme_an_approved_source_and_an_open_proposal(
    client, member, target_name, request
):
    target = request.getfixturevalue(target_name)

    response = as_member(client, member).post(
        post_url(target), {"body": "Try a **small** test of change first."}
    )

    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response.url == f"{target.get_absolute_url()}#comment-{comment.pk}"
    assert comment.target == target
    assert comment.author == member
    assert comment.parent is None
    assert comment.status == Status.VISIBLE
    assert comment.body == "Try a **small** test of change first."
    assert comment.body_html == "<p>Try a <strong>small</strong> test of change first.</p>"
    target.refresh_from_db()
    assert target.comment_count == 1
    assert_counts_exact(target)


def test_posted_comment_appears_on_the_theme_page(client, member, theme):
    as_member(client, member).post(post_url(theme), {"body": "Spread needs *networks*."})

    page = client.get(theme.get_absolute_url()).content.decode()

    assert "Spread needs <em>networks</em>." in page
    assert "Mia Member" in page


def test_a_reply_to_a_reply_joins_the_same_thread(client, member, other_member, theme):
    top = CommentFactory(theme=theme, author=other_member)
    reply = CommentFactory(theme=theme, parent=top)

    response = as_member(client, member).post(
        post_url(theme), {"body": "Answering the reply.", "parent": reply.pk}
    )

    answer = Comment.objects.get(body="Answering the reply.")
    assert response.status_code == 302
    assert answer.parent == top
    assert Comment.objects.filter(parent=top).count() == 2
    assert_counts_exact(theme)


def test_replying_to_a_comment_in_another_discussion_is_refused(client, member, theme, source):
    elsewhere = CommentFactory(theme=theme)

    response = as_member(client, member).post(
        post_url(source), {"body": "Wrong thread.", "parent": elsewhere.pk}
    )

    assert response.status_code == 403
    assert "You can only reply within the same discussion." in response.content.decode()
    assert not Comment.objects.filter(body="Wrong thread.").exists()
    assert_counts_exact(theme, source)


def test_replying_across_discussions_is_refused_by_the_service(member, theme, source):
    elsewhere = CommentFactory(theme=theme)

    with pytest.raises(discussion.DiscussionError):
        discussion.post(author=member, target=source, body="Wrong thread.", parent=elsewhere)

    assert not Comment.objects.filter(body="Wrong thread.").exists()


@pytest.mark.parametrize("status", [Status.HIDDEN, Status.HELD, Status.DELETED])
def test_a_reply_to_a_removed_comment_is_refused_and_keeps_the_text(
    client, member, other_member, theme, status
):
    removed = CommentFactory(theme=theme, author=other_member, status=status)

    response = as_member(client, member).post(
        post_url(theme), {"body": "My answer <to it>.", "parent": removed.pk}
    )

    assert response.status_code == 403
    page = response.content.decode()
    assert "This comment has been hidden or deleted, so it takes no more replies." in page
    assert textareas(response)["body"].strip() == "My answer <to it>."
    assert not Comment.objects.filter(author=member).exists()
    assert_counts_exact(theme)


def test_a_reply_to_a_visible_reply_under_a_deleted_comment_still_joins_the_thread(
    member, other_member, theme
):
    top = discussion.post(author=other_member, target=theme, body="Later deleted.")
    reply = discussion.post(author=member, target=theme, body="A reply.", parent=top)
    discussion.delete(comment=top, author=other_member)

    answer = discussion.post(author=other_member, target=theme, body="An answer.", parent=reply)

    assert answer.parent == top
    assert_counts_exact(theme)


@pytest.mark.parametrize("status", [Source.Status.DECLINED, Source.Status.WITHDRAWN])
def test_member_cannot_comment_on_a_closed_proposal(client, member, proposal, status):
    Source.objects.filter(pk=proposal.pk).update(status=status, approved_at=timezone.now())

    response = as_member(client, member).post(post_url(proposal), {"body": "Too late."})

    assert response.status_code == 404
    assert not Comment.objects.exists()
    assert_counts_exact(proposal)


@pytest.mark.parametrize("status", [Source.Status.DECLINED, Source.Status.WITHDRAWN])
def test_proposer_cannot_comment_on_their_closed_proposal(client, proposer, proposal, status):
    """The proposer still sees the page of their closed proposal, but its discussion is shut."""
    Source.objects.filter(pk=proposal.pk).update(status=status, approved_at=timezone.now())

    response = as_member(client, proposer).post(post_url(proposal), {"body": "Too late."})

    assert response.status_code == 403
    assert "This source is not open for discussion." in response.content.decode()
    assert not Comment.objects.exists()
    assert_counts_exact(proposal)


# Editing and deleting


def test_author_edits_their_comment(client, member, theme):
    comment = CommentFactory(theme=theme, author=member, body="First draft")

    response = as_member(client, member).post(
        reverse("comments:edit", args=[comment.pk]), {"body": "Second *draft*"}
    )

    comment.refresh_from_db()
    assert response.status_code == 302
    assert response.url == comment.get_absolute_url()
    assert comment.body == "Second *draft*"
    assert comment.body_html == "<p>Second <em>draft</em></p>"
    assert comment.edited_at is not None
    theme.refresh_from_db()
    assert theme.comment_count == 1
    assert_counts_exact(theme)


def test_edit_page_shows_the_comment_text(client, member, theme):
    comment = CommentFactory(theme=theme, author=member, body="Words & <things>")

    response = as_member(client, member).get(reverse("comments:edit", args=[comment.pk]))

    assert response.status_code == 200
    assert textareas(response)["body"].strip() == "Words & <things>"


def test_author_deletes_their_comment_softly(client, member, other_member, theme):
    comment = CommentFactory(theme=theme, author=member, body="Something I regret")
    reply = CommentFactory(theme=theme, parent=comment, author=other_member)
    url = reverse("comments:delete", args=[comment.pk])

    response = as_member(client, member).post(url)

    comment.refresh_from_db()
    assert response.status_code == 302
    assert comment.status == Status.DELETED
    assert comment.body == ""
    assert comment.body_html == ""
    reply.refresh_from_db()
    assert reply.parent == comment
    assert reply.status == Status.VISIBLE
    theme.refresh_from_db()
    assert theme.comment_count == 1
    assert_counts_exact(theme)

    again = client.post(url)

    assert again.status_code == 404
    assert Comment.objects.get(pk=comment.pk).status == Status.DELETED
    assert_counts_exact(theme)


def test_author_cannot_delete_a_comment_a_moderator_hid(client, member, moderator, theme):
    comment = discussion.post(author=member, target=theme, body="Something hidden")
    flags.hide(comment=comment, moderator=moderator, reason="Abusive")
    url = reverse("comments:delete", args=[comment.pk])

    page = as_member(client, member).get(url, follow=True)
    response = client.post(url, follow=True)

    for answer in (page, response):
        assert "A moderator has hidden this comment, so it stays as the moderator left it." in (
            answer.content.decode()
        )
    comment.refresh_from_db()
    assert (comment.status, comment.body) == (Status.HIDDEN, "Something hidden")
    assert "This comment was hidden by a moderator." in response.content.decode()
    with pytest.raises(discussion.DiscussionError):
        discussion.delete(comment=comment, author=member)
    assert Comment.objects.get(pk=comment.pk).status == Status.HIDDEN
    assert_counts_exact(theme)


def test_author_can_still_delete_a_comment_held_by_flags(member, other_member, theme):
    """A patient-data flag holds the comment at once; its author may still take the text away."""
    comment = discussion.post(author=member, target=theme, body="Mr X on ward 3")
    flags.flag(comment=comment, member=other_member, reason=Flag.Reason.PATIENT_DATA)

    discussion.delete(comment=comment, author=member)

    comment.refresh_from_db()
    assert (comment.status, comment.body) == (Status.DELETED, "")
    assert_counts_exact(theme)


def test_deleting_twice_through_the_service_changes_nothing(member, theme):
    comment = CommentFactory(theme=theme, author=member)

    discussion.delete(comment=comment, author=member)
    discussion.delete(comment=comment, author=member)

    theme.refresh_from_db()
    assert theme.comment_count == 0
    assert Comment.objects.get().status == Status.DELETED


def test_deleted_comment_keeps_its_place_without_its_text(client, member, other_member, theme):
    comment = CommentFactory(theme=theme, author=member, body="Something I regret")
    CommentFactory(theme=theme, parent=comment, author=other_member, body="A reply that stays")
    discussion.delete(comment=comment, author=member)

    page = client.get(theme.get_absolute_url()).content.decode()

    assert "Something I regret" not in page
    assert "A reply that stays" in page
    assert f'id="comment-{comment.pk}"' in page


# Counts


def test_counts_stay_exact_through_every_move(
    client, member, other_member, proposer, moderator, theme, settings
):
    settings.COMMENT_FLAG_THRESHOLD = 2
    source = SourceFactory(proposer=proposer, themes=[theme])
    flaggers = [MemberFactory(), MemberFactory()]

    def check():
        assert_counts_exact(theme, source)

    as_member(client, member).post(post_url(theme), {"body": "On the theme"})
    client.post(post_url(source), {"body": "On the source"})
    check()
    on_theme = Comment.objects.get(body="On the theme")
    on_source = Comment.objects.get(body="On the source")

    as_member(client, other_member).post(
        post_url(theme), {"body": "A reply", "parent": on_theme.pk}
    )
    client.post(post_url(source), {"body": "Another reply", "parent": on_source.pk})
    check()
    reply = Comment.objects.get(body="A reply")

    as_member(client, member).post(reverse("comments:edit", args=[on_theme.pk]), {"body": "Ed"})
    check()

    for flagger in flaggers:
        flags.flag(comment=on_source, member=flagger, reason=Flag.Reason.SPAM)
    assert Comment.objects.get(pk=on_source.pk).status == Status.HELD
    check()

    as_member(client, moderator).post(reverse("comments:dismiss", args=[on_source.pk]))
    assert Comment.objects.get(pk=on_source.pk).status == Status.VISIBLE
    check()

    client.post(reverse("comments:hide", args=[reply.pk]), {"reason": "Off-topic"})
    assert Comment.objects.get(pk=reply.pk).status == Status.HIDDEN
    check()

    client.post(reverse("comments:hide", args=[reply.pk]), {"reason": "Twice"})
    check()

    client.post(reverse("comments:restore", args=[reply.pk]))
    assert Comment.objects.get(pk=reply.pk).status == Status.VISIBLE
    check()

    flags.flag(comment=on_theme, member=flaggers[0], reason=Flag.Reason.PATIENT_DATA)
    check()
    client.post(reverse("comments:hide", args=[on_theme.pk]), {"reason": "Patient data"})
    assert Comment.objects.get(pk=on_theme.pk).status == Status.HIDDEN
    check()

    as_member(client, member).post(reverse("comments:delete", args=[on_theme.pk]))
    assert Comment.objects.get(pk=on_theme.pk).status == Status.HIDDEN  # the moderator's call
    check()
    client.post(reverse("comments:delete", args=[on_source.pk]))
    assert Comment.objects.get(pk=on_source.pk).status == Status.DELETED
    check()

    theme.refresh_from_db()
    source.refresh_from_db()
    assert (theme.comment_count, source.comment_count) == (1, 1)


# E-mails


def test_a_reply_notifies_the_author_of_the_comment(
    client, member, other_member, theme, mailoutbox, django_capture_on_commit_callbacks
):
    top = CommentFactory(theme=theme, author=other_member)

    with django_capture_on_commit_callbacks(execute=True):
        as_member(client, member).post(
            post_url(theme), {"body": "I agree with you.", "parent": top.pk}
        )

    reply = Comment.objects.get(body="I agree with you.")
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == [other_member.email]
    assert mail.subject == "[Q Library] Mia Member replied to you"
    assert "I agree with you." in mail.body
    assert reply.get_absolute_url() in mail.body


def test_replying_to_yourself_sends_no_email(
    client, member, theme, mailoutbox, django_capture_on_commit_callbacks
):
    top = CommentFactory(theme=theme, author=member)

    with django_capture_on_commit_callbacks(execute=True):
        as_member(client, member).post(post_url(theme), {"body": "And also…", "parent": top.pk})

    assert Comment.objects.filter(parent=top).exists()
    assert mailoutbox == []


def test_no_reply_email_for_a_member_who_turned_it_off(
    client, member, other_member, theme, mailoutbox, django_capture_on_commit_callbacks
):
    other_member.notify_replies = False
    other_member.save()
    top = CommentFactory(theme=theme, author=other_member)

    with django_capture_on_commit_callbacks(execute=True):
        as_member(client, member).post(post_url(theme), {"body": "Hello", "parent": top.pk})

    assert Comment.objects.filter(parent=top).exists()
    assert mailoutbox == []


def test_a_comment_on_a_source_notifies_its_proposer(
    client, member, proposer, theme, mailoutbox, django_capture_on_commit_callbacks
):
    source = SourceFactory(title="Skilled for improvement", proposer=proposer, themes=[theme])

    with django_capture_on_commit_callbacks(execute=True):
        as_member(client, member).post(post_url(source), {"body": "Useful for our team."})

    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == [proposer.email]
    assert mail.subject == "[Q Library] New comment on “Skilled for improvement”"
    assert "Useful for our team." in mail.body
    assert source.get_absolute_url() in mail.body


def test_a_comment_on_an_open_proposal_notifies_its_proposer(
    client, member, proposer, proposal, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        as_member(client, member).post(post_url(proposal), {"body": "Worth approving."})

    assert [mail.to for mail in mailoutbox] == [[proposer.email]]


def test_no_source_email_for_a_proposer_who_turned_it_off(
    client, member, proposer, theme, mailoutbox, django_capture_on_commit_callbacks
):
    proposer.notify_source_comments = False
    proposer.save()
    source = SourceFactory(proposer=proposer, themes=[theme])

    with django_capture_on_commit_callbacks(execute=True):
        as_member(client, member).post(post_url(source), {"body": "Useful."})

    assert Comment.objects.filter(source=source).exists()
    assert mailoutbox == []


def test_proposer_commenting_on_their_own_source_gets_no_email(
    client, proposer, theme, mailoutbox, django_capture_on_commit_callbacks
):
    source = SourceFactory(proposer=proposer, themes=[theme])

    with django_capture_on_commit_callbacks(execute=True):
        as_member(client, proposer).post(post_url(source), {"body": "Some context."})

    assert Comment.objects.filter(source=source).exists()
    assert mailoutbox == []


def test_proposer_replied_to_on_their_source_gets_one_email(
    client, member, proposer, theme, mailoutbox, django_capture_on_commit_callbacks
):
    source = SourceFactory(proposer=proposer, themes=[theme])
    top = CommentFactory(source=source, author=proposer)

    with django_capture_on_commit_callbacks(execute=True):
        as_member(client, member).post(post_url(source), {"body": "Thanks", "parent": top.pk})

    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [proposer.email]
    assert mailoutbox[0].subject == "[Q Library] Mia Member replied to you"


def test_a_comment_on_a_theme_sends_no_email(
    client, member, theme, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        as_member(client, member).post(post_url(theme), {"body": "Hello all"})

    assert Comment.objects.filter(theme=theme).exists()
    assert mailoutbox == []


# Limits


def test_posting_too_fast_is_refused_and_keeps_the_text(client, member, theme, settings):
    cache.clear()
    settings.COMMENTS_PER_10_MINUTES = 2
    as_member(client, member)
    for number in range(2):
        assert client.post(post_url(theme), {"body": f"Comment {number}"}).status_code == 302

    response = client.post(post_url(theme), {"body": "A third <thought> & more"})

    assert response.status_code == 429
    page = response.content.decode()
    assert "You have posted a lot of comments in the last few minutes." in page
    assert textareas(response)["body"].strip() == "A third <thought> & more"
    assert Comment.objects.count() == 2
    assert not Comment.objects.filter(body__startswith="A third").exists()
    theme.refresh_from_db()
    assert theme.comment_count == 2


def test_the_limit_is_per_member(client, member, other_member, theme, settings):
    cache.clear()
    settings.COMMENTS_PER_10_MINUTES = 1
    as_member(client, member).post(post_url(theme), {"body": "Mine"})

    response = as_member(client, other_member).post(post_url(theme), {"body": "Theirs"})

    assert response.status_code == 302
    assert Comment.objects.count() == 2


def test_the_limit_holds_when_the_cache_is_emptied(client, member, theme, settings):
    """The count comes from the comments themselves: no cache eviction or restart resets it."""
    settings.COMMENTS_PER_10_MINUTES = 2
    as_member(client, member)
    for number in range(2):
        client.post(post_url(theme), {"body": f"Comment {number}"})
        cache.clear()

    response = client.post(post_url(theme), {"body": "A third"})

    assert response.status_code == 429
    assert Comment.objects.count() == 2


def test_deleting_a_comment_does_not_give_its_place_back(client, member, theme, settings):
    settings.COMMENTS_PER_10_MINUTES = 1
    comment = discussion.post(author=member, target=theme, body="Posted and taken back.")
    discussion.delete(comment=comment, author=member)

    with pytest.raises(discussion.CommentLimitReached):
        discussion.post(author=member, target=theme, body="Again at once.")


def test_comments_older_than_ten_minutes_leave_the_count(member, theme, settings):
    settings.COMMENTS_PER_10_MINUTES = 1
    with time_machine.travel(timezone.now() - timedelta(minutes=11)):
        discussion.post(author=member, target=theme, body="A while ago.")

    discussion.post(author=member, target=theme, body="Now.")

    assert Comment.objects.filter(author=member).count() == 2


def test_a_refused_reply_does_not_use_up_the_limit(
    member, other_member, moderator, theme, settings
):
    settings.COMMENTS_PER_10_MINUTES = 1
    hidden = discussion.post(author=other_member, target=theme, body="Soon hidden.")
    flags.hide(comment=hidden, moderator=moderator, reason="Abusive")

    with pytest.raises(discussion.DiscussionError):
        discussion.post(author=member, target=theme, body="A reply.", parent=hidden)
    discussion.post(author=member, target=theme, body="A comment of my own.")

    assert Comment.objects.filter(author=member).count() == 1


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite lets one writer in at a time (a file lock, not row locks), so parallel posts "
    "from threads test the database lock, not the limit; the row lock needs PostgreSQL",
)
@pytest.mark.django_db(transaction=True)
def test_parallel_posts_cannot_pass_the_limit_together(settings, live_themes):
    settings.COMMENTS_PER_10_MINUTES = 10
    member = MemberFactory(username="racer")
    theme = live_themes[0]
    barrier = threading.Barrier(20)
    refused, errors = [], []

    def post(number):
        try:
            barrier.wait(timeout=10)
            discussion.post(author=member, target=theme, body=f"Comment {number}")
        except discussion.CommentLimitReached:
            refused.append(number)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(number,)) for number in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert Comment.objects.filter(author=member).count() == 10
    assert len(refused) == 10
    assert_counts_exact(theme)


def test_an_over_long_comment_is_refused(client, member, theme):
    response = as_member(client, member).post(post_url(theme), {"body": "x" * 5001})

    assert response.status_code == 400
    assert "Keep comments under 5000 characters (this one has 5001)." in (response.content.decode())
    assert not Comment.objects.exists()
    theme.refresh_from_db()
    assert theme.comment_count == 0


def test_a_comment_of_exactly_the_limit_is_accepted(client, member, theme):
    response = as_member(client, member).post(post_url(theme), {"body": "x" * 5000})

    assert response.status_code == 302
    assert len(Comment.objects.get().body) == 5000


@pytest.mark.parametrize("body", ["", "   \n\t  "])
def test_an_empty_comment_is_refused(client, member, theme, body):
    response = as_member(client, member).post(post_url(theme), {"body": body})

    assert response.status_code == 400
    assert "Write something before posting." in response.content.decode()
    assert not Comment.objects.exists()


# Pages of threads


def test_threads_are_paginated_with_their_replies(client, theme, settings):
    settings.COMMENT_THREADS_PER_PAGE = 2
    first = CommentFactory(theme=theme, body="First thread")
    CommentFactory(theme=theme, body="Second thread")
    third = CommentFactory(theme=theme, body="Third thread")
    CommentFactory(theme=theme, parent=third, body="Reply to the third")
    CommentFactory(theme=theme, parent=first, body="Reply to the first")

    first_page = client.get(f"{theme.get_absolute_url()}?comments=1").content.decode()
    second_page = client.get(f"{theme.get_absolute_url()}?comments=2").content.decode()

    assert "First thread" in first_page
    assert "Second thread" in first_page
    assert "Reply to the first" in first_page
    assert "Third thread" not in first_page
    assert "Third thread" in second_page
    assert "Reply to the third" in second_page
    assert "First thread" not in second_page
    assert "Reply to the first" not in second_page


@pytest.mark.parametrize("target_kind", ["theme", "source"])
def test_a_page_shows_the_latest_threads_and_links_to_the_whole_discussion(
    client, theme, source, settings, target_kind
):
    settings.LATEST_COMMENT_THREADS = 2
    target = theme if target_kind == "theme" else source
    on = {target_kind: target}
    first = CommentFactory(**on, body="First thread")
    CommentFactory(**on, parent=first, body="Reply to the first")
    second = CommentFactory(**on, body="Second thread")
    CommentFactory(**on, body="Third thread")
    reply = CommentFactory(**on, parent=second, body="Reply to the second")

    page = client.get(target.get_absolute_url()).content.decode()

    assert "First thread" not in page
    assert "Reply to the first" not in page
    assert page.index("Second thread") < page.index("Reply to the second")
    assert page.index("Reply to the second") < page.index("Third thread")
    assert 'href="?comments=1#discussion">Read the whole discussion' in page
    assert reply.get_page_url() == f"{target.get_absolute_url()}#comment-{reply.pk}"
    assert first.get_page_url() == f"{target.get_absolute_url()}?comments=1#comment-{first.pk}"
    whole = client.get(f"{target.get_absolute_url()}?comments=1").content.decode()
    assert "First thread" in whole and "Third thread" in whole
    assert "Back to the latest conversations" in whole


def test_a_short_discussion_shows_every_thread_without_a_link(client, theme):
    CommentFactory(theme=theme, body="Only thread")

    page = client.get(theme.get_absolute_url()).content.decode()

    assert "Only thread" in page
    assert "Read the whole discussion" not in page
