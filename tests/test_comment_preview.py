"""Members preview a comment before posting it: rendered by the same Markdown pipeline and shown
by the same template as a posted comment, without JavaScript; nothing is saved."""

import pytest
from django.urls import reverse

from comments.models import Comment
from qlibrary.markdown import render

from .factories import CommentFactory

pytestmark = pytest.mark.django_db

BODY = "See **this** [guide](/sources/flow-guide/) <script>alert(1)</script>\n\n- one\n- two"


def post_url(target):
    return reverse("comments:post_on_theme", args=[target.slug])


def test_preview_shows_the_rendered_comment_and_posts_nothing(client, member, theme):
    client.force_login(member)

    response = client.post(post_url(theme), {"body": BODY, "preview": "1"})

    page = response.content.decode()
    assert response.status_code == 200
    assert '<div class="comment__body">' + render(BODY) + "</div>" in page
    assert "<strong>this</strong>" in page and "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # shown as text, in the box too
    assert "Preview your comment" in page and ">Post comment</button>" in page
    assert not Comment.objects.exists()
    theme.refresh_from_db()
    assert theme.comment_count == 0


def test_a_previewed_reply_keeps_its_place_in_the_thread(client, member, other_member, theme):
    top = CommentFactory(theme=theme, author=other_member)
    client.force_login(member)

    preview = client.post(post_url(theme), {"body": "I agree.", "parent": top.pk, "preview": "1"})

    page = preview.content.decode()
    assert "Preview your reply" in page
    assert f'name="parent" value="{top.pk}"' in page
    client.post(post_url(theme), {"body": "I agree.", "parent": top.pk})
    assert Comment.objects.get(body="I agree.").parent == top


def test_an_empty_preview_says_what_is_wrong(client, member, theme):
    client.force_login(member)

    response = client.post(post_url(theme), {"body": "  ", "preview": "1"})

    assert response.status_code == 400
    assert "Write something before posting." in response.content.decode()
    assert not Comment.objects.exists()


def test_preview_needs_a_verified_member(client, theme, db):
    response = client.post(post_url(theme), {"body": BODY, "preview": "1"})

    assert "/accounts/login/" in response["Location"]
    assert not Comment.objects.exists()


def test_an_edit_can_be_previewed_before_it_is_saved(client, member, theme):
    comment = CommentFactory(theme=theme, author=member, body="First draft")
    client.force_login(member)

    response = client.post(
        reverse("comments:edit", args=[comment.pk]), {"body": "Second *draft*", "preview": "1"}
    )

    page = response.content.decode()
    assert "<em>draft</em>" in page and "not posted yet" in page
    comment.refresh_from_db()
    assert comment.body == "First draft" and comment.edited_at is None


def test_another_members_comment_cannot_be_previewed_as_an_edit(
    client, member, other_member, theme
):
    comment = CommentFactory(theme=theme, author=other_member, body="Theirs")
    client.force_login(member)

    response = client.post(
        reverse("comments:edit", args=[comment.pk]), {"body": "Mine now", "preview": "1"}
    )

    assert response.status_code == 404
    assert "Mine now" not in response.content.decode()


def test_the_discussion_form_offers_a_preview(client, member, theme):
    client.force_login(member)

    page = client.get(theme.get_absolute_url()).content.decode()

    assert 'name="preview" value="1"' in page
