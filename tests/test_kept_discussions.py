"""A discussion is rendered once and kept: one copy for readers, one for members and one for
moderators (comments/discussion.py `on_page`). A member's copy carries their own form token, a
comment's author sees their Edit and Delete, and the next read shows any change."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comments import discussion, flags
from comments.models import Comment

from .factories import MemberFactory

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def talk(theme, other_member):
    """A theme's discussion: one comment by `other_member`."""
    return discussion.post(author=other_member, target=theme, body="Peer networks matter")


def signed_in(member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    return client


def page(client, theme):
    response = client.get(theme.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_members_who_wrote_none_of_it_share_one_rendered_copy(theme, talk, member):
    page(signed_in(MemberFactory()), theme)
    client = signed_in(member)

    with CaptureQueriesContext(connection) as reads:
        shown = page(client, theme)

    assert "Peer networks matter" in shown
    assert not [query for query in reads.captured_queries if "comments_comment" in query["sql"]]


def test_each_member_gets_their_own_form_token_and_can_reply_with_it(theme, talk, member):
    first, second = signed_in(member), signed_in(MemberFactory())
    first_page, second_page = page(first, theme), page(second, theme)

    first_tokens, second_tokens = set(TOKEN.findall(first_page)), set(TOKEN.findall(second_page))
    assert discussion.TOKEN_STAND_IN not in first_page + second_page
    assert first_tokens and second_tokens
    assert first.cookies["csrftoken"].value != second.cookies["csrftoken"].value

    reply = second.post(
        reverse("comments:post_on_theme", args=[theme.slug]),
        {"body": "A reply with my own token", "parent": talk.pk, **_token(second_page)},
    )
    assert reply.status_code == 302
    assert Comment.objects.filter(body="A reply with my own token").exists()


def _token(html):
    return {"csrfmiddlewaretoken": TOKEN.search(html).group(1)}


def test_the_author_sees_edit_and_delete_and_others_see_flag(theme, talk, member, other_member):
    reader_first = page(signed_in(member), theme)  # kept now, for members
    author = page(signed_in(other_member), theme)
    again = page(signed_in(member), theme)

    edit = reverse("comments:edit", args=[talk.pk])
    flag = reverse("comments:flag", args=[talk.pk])
    assert edit in author and flag not in author
    assert flag in reader_first and edit not in reader_first
    assert flag in again and edit not in again


def test_moderators_see_restore_on_a_hidden_comment_and_members_do_not(
    theme, talk, member, moderator
):
    flags.hide(comment=talk, moderator=moderator, reason="Off topic for this theme")
    restore = reverse("comments:restore", args=[talk.pk])

    assert restore not in page(signed_in(member), theme)
    assert restore in page(signed_in(moderator), theme)
    assert restore not in page(signed_in(member), theme)


def test_a_new_comment_shows_on_the_next_read_of_the_kept_copy(theme, talk, member):
    client = signed_in(member)
    assert "A second thought" not in page(client, theme)

    discussion.post(author=MemberFactory(), target=theme, body="A second thought")

    assert "A second thought" in page(client, theme)
