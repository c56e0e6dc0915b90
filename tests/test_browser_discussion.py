"""A theme's discussion in a real browser: post with Markdown, reply, e-mail, edit and delete."""

import re

import pytest
from django.core import mail

from comments.models import Comment

from .browser import log_in, new_page
from .factories import MemberFactory

# live_server needs real transactions; the `live_themes` fixture re-creates the themes.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AT_A_COMMENT = re.compile(r"#comment-\d+$")
FIRST_TEXT = "Bring **patient partners** in from the start: see [the co-design guide](https://example.org/co-design)."
EDITED_TEXT = "Bring **patient partners** in from the very start, and pay them for their time."
REPLY_TEXT = "Agreed: paying partners changed who turned up in our trust."


def test_members_discuss_a_theme(live_server, browser_page, live_themes, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    base = live_server.url
    theme = live_themes[0]
    ann = MemberFactory(username="ann", display_name="Ann Author")
    MemberFactory(username="ben", display_name="Ben Replier")

    # 1. Ann posts a comment written in Markdown on the theme page.
    author = browser_page
    log_in(author, base, "ann")
    author.goto(base + theme.get_absolute_url())
    discussion = author.locator("#discussion")
    assert "No comments yet. Start the discussion." in discussion.inner_text()
    discussion.get_by_label("Your comment").fill(FIRST_TEXT)
    discussion.get_by_role("button", name="Post comment").click()
    author.wait_for_url(AT_A_COMMENT)
    assert "Your comment is posted." in author.locator(".messages").inner_text()

    comment = Comment.objects.get(author=ann)
    posted = author.locator(f"#comment-{comment.pk}")
    assert author.url.endswith(f"{theme.get_absolute_url()}#comment-{comment.pk}")
    assert posted.locator(".comment__author").inner_text() == "Ann Author"
    assert posted.locator(".comment__body strong").inner_text() == "patient partners"
    link = posted.get_by_role("link", name="the co-design guide")
    assert link.get_attribute("href") == "https://example.org/co-design"
    assert link.get_attribute("rel") == "nofollow ugc noopener"
    assert "**" not in posted.inner_text()
    assert posted.locator("time").get_attribute("datetime")
    assert posted.locator(".comment__edited").count() == 0
    assert author.locator("#discussion-heading").inner_text() == "Discussion 1 comment"

    # 2. Ben replies from his own browser, on the comment's reply page (a link, no script).
    replier = new_page(browser_page)
    log_in(replier, base, "ben")
    replier.goto(base + theme.get_absolute_url())
    to_ann = replier.locator(f"#comment-{comment.pk}")
    assert to_ann.get_by_role("link", name="Edit").count() == 0
    to_ann.get_by_role("link", name="Reply to Ann Author").click()
    replier.wait_for_url(f"**/comments/{comment.pk}/reply/")
    assert "patient partners" in replier.locator(".quoted-comment").inner_text()
    replier.get_by_label("Your reply to Ann Author").fill(REPLY_TEXT)
    replier.get_by_role("button", name="Post reply").click()
    replier.wait_for_url(AT_A_COMMENT)

    reply = Comment.objects.get(parent=comment)
    thread = replier.locator(".thread").filter(has=replier.locator(f"#comment-{comment.pk}"))
    assert REPLY_TEXT in thread.locator(f".replies #comment-{reply.pk}").inner_text()

    # Ann hears about the reply by e-mail, with a link to it.
    [notice] = [message for message in mail.outbox if message.to == [ann.email]]
    assert "Ben Replier replied to you" in notice.subject
    assert f"{theme.get_absolute_url()}#comment-{reply.pk}" in notice.body

    # 3. Ann edits her comment: it is marked as edited.
    author.goto(base + theme.get_absolute_url())
    author.locator(f"#comment-{comment.pk}").get_by_role("link", name="Edit your comment").click()
    author.wait_for_url(f"**/comments/{comment.pk}/edit/")
    body = author.get_by_label("Your comment")
    assert body.input_value() == FIRST_TEXT
    body.fill(EDITED_TEXT)
    author.get_by_role("button", name="Save the comment").click()
    author.wait_for_url(AT_A_COMMENT)
    edited = author.locator(f"#comment-{comment.pk}")
    assert edited.locator(".comment__edited").inner_text() == "edited"
    assert "pay them for their time" in edited.locator(".comment__body").inner_text()

    # 4. Ann deletes it: the thread keeps its shape, and Ben's reply stays under it.
    edited.get_by_role("link", name="Delete your comment").click()
    author.wait_for_url(f"**/comments/{comment.pk}/delete/")
    author.get_by_role("button", name="Delete the comment").click()
    author.wait_for_url(AT_A_COMMENT)
    deleted = author.locator(f"#comment-{comment.pk}")
    assert deleted.inner_text().strip() == "This comment was deleted by its author."
    assert "patient partners" not in author.locator("#discussion").inner_text()
    thread = author.locator(".thread").filter(has=deleted)
    assert REPLY_TEXT in thread.locator(f".replies #comment-{reply.pk}").inner_text()
    assert author.locator("#discussion-heading").inner_text() == "Discussion 1 comment"

    # A reader without an account sees the same thread and is asked to log in to join.
    reader = new_page(browser_page)
    reader.goto(base + theme.get_absolute_url())
    assert "This comment was deleted by its author." in reader.locator("#discussion").inner_text()
    assert REPLY_TEXT in reader.locator(f"#comment-{reply.pk}").inner_text()
    assert reader.locator("#discussion form").count() == 0
    join = reader.locator(".discussion__join")
    assert join.inner_text() == "Log in or sign up to join the discussion."
    assert "next=" in join.get_by_role("link", name="Log in").get_attribute("href")

    for page in [author, replier, reader]:
        assert page.console_errors == [], page.url
