"""A discussion's threads are rendered once for readers, and once for the members who wrote none
of the comments shown (comments/discussion.py `on_page`); a comment's author and a moderator get
theirs rendered for them. The threads hold no form token (a reply is written on a page of its
own); each member's form to join in carries their own. The next read shows any change."""

import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comments import discussion, flags
from comments.models import Comment
from sources.models import Source

from .factories import MemberFactory, SourceFactory

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


def test_each_member_gets_their_own_form_token_and_can_reply_with_it(theme, talk, member):
    first, second = signed_in(member), signed_in(MemberFactory())
    first_page, second_page = page(first, theme), page(second, theme)

    for shown in (first_page, second_page):
        tokens = TOKEN.findall(discussion_of(shown))
        assert tokens
        assert all(len(token) == 64 for token in tokens)  # Django's masked tokens, no stand-in
    assert first.cookies["csrftoken"].value != second.cookies["csrftoken"].value

    reply = second.post(
        reverse("comments:post_on_theme", args=[theme.slug]),
        {"body": "A reply with my own token", "parent": talk.pk, **_token(second_page)},
    )
    assert reply.status_code == 302
    assert Comment.objects.filter(body="A reply with my own token").exists()


def test_a_comment_quoting_a_token_field_shows_as_text_and_leaks_no_token(
    theme, other_member, member
):
    field = '<input type="hidden" name="csrfmiddlewaretoken" value="x">'
    posted = discussion.post(author=other_member, target=theme, body=f"Look: {field}")

    shown = page(signed_in(member), theme)

    article = shown[shown.index(f'id="comment-{posted.pk}"') :]
    text = article[article.index('class="comment__body"') :]
    text = text[: text.index("</div>")]
    assert "&lt;input" in text
    assert TOKEN.findall(text) == ["x"]


def discussion_of(html):
    return html[html.index('id="discussion"') :]


def _token(html):
    """The token of the first form in the discussion (a reply form)."""
    return {"csrfmiddlewaretoken": TOKEN.search(discussion_of(html)).group(1)}


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


def test_a_former_members_comment_can_be_flagged_by_members(theme, talk, member):
    Comment.objects.filter(pk=talk.pk).update(author=None)  # the account was deleted

    shown = page(signed_in(member), theme)

    assert reverse("comments:flag", args=[talk.pk]) in shown
    assert reverse("comments:edit", args=[talk.pk]) not in shown


def test_the_discussions_page_links_carry_only_its_own_parameter(theme, member, settings):
    settings.COMMENT_THREADS_PER_PAGE = 1
    for number in range(3):
        discussion.post(author=MemberFactory(), target=theme, body=f"Thread {number}")
    first = signed_in(MemberFactory())
    first.get(f"{theme.get_absolute_url()}?comments=2&kind=report")

    shown = discussion_of(
        signed_in(member).get(f"{theme.get_absolute_url()}?comments=2").content.decode()
    )

    assert 'href="?comments=1#discussion"' in shown
    assert 'href="?comments=3#discussion"' in shown
    assert "kind=report" not in shown


def threads_of(html):
    """The threads of the discussion: the section without its form to join in."""
    section = discussion_of(html)
    return section[: section.index('class="comment-form"')]


@pytest.fixture
def one_minute():
    """The clock stopped: a shared rendering is kept for the minute it shows relative times in,
    and the requests of a test must fall in the same one."""
    with time_machine.travel(timezone.now(), tick=False):
        yield


def test_members_who_wrote_none_of_the_comments_share_one_rendering_of_the_threads(
    theme, talk, member, one_minute
):
    first = signed_in(member).get(theme.get_absolute_url())
    second = signed_in(MemberFactory()).get(theme.get_absolute_url())

    rendered = [[t.name for t in response.templates] for response in (first, second)]
    assert "comments/comment.html" in rendered[0]
    assert "comments/comment.html" not in rendered[1]  # the first member's rendering, shared
    shown = [threads_of(response.content.decode()) for response in (first, second)]
    assert shown[0] == shown[1]
    assert reverse("comments:reply", args=[talk.pk]) in shown[1]
    assert TOKEN.findall(shown[1]) == []  # no form, no token: nothing of the first member's


def test_a_moderator_shares_the_members_rendering_until_a_hidden_comment_is_shown(
    theme, talk, member, moderator, one_minute
):
    signed_in(member).get(theme.get_absolute_url())

    shared = signed_in(moderator).get(theme.get_absolute_url())
    assert "comments/comment.html" not in [t.name for t in shared.templates]

    flags.hide(comment=talk, moderator=moderator, reason="Off topic for this theme")
    own = signed_in(moderator).get(theme.get_absolute_url())
    assert "comments/comment.html" in [t.name for t in own.templates]
    assert reverse("comments:restore", args=[talk.pk]) in own.content.decode()


def test_a_member_replies_on_the_comments_own_page(theme, talk, member):
    client = signed_in(member)
    reply_page = client.get(reverse("comments:reply", args=[talk.pk]))

    assert reply_page.status_code == 200
    shown = reply_page.content.decode()
    assert "Peer networks matter" in shown  # the comment answered, above the form
    assert "Your reply to Olu Other" in shown
    assert f'name="parent" value="{talk.pk}"' in shown
    posted = client.post(
        reverse("comments:post_on_theme", args=[theme.slug]),
        {
            "body": "Agreed, and they need time",
            "parent": talk.pk,
            "csrfmiddlewaretoken": TOKEN.search(shown).group(1),
        },
    )

    reply = Comment.objects.get(body="Agreed, and they need time")
    assert reply.parent == talk
    assert posted.status_code == 302 and posted["Location"].endswith(f"#comment-{reply.pk}")
    assert "Agreed, and they need time" in page(client, theme)


def test_a_hidden_comment_takes_no_reply_and_says_why(theme, talk, member, moderator):
    flags.hide(comment=talk, moderator=moderator, reason="Off topic for this theme")

    response = signed_in(member).get(reverse("comments:reply", args=[talk.pk]), follow=True)

    assert "takes no more replies" in response.content.decode()
    assert response.redirect_chain[-1][0].startswith(theme.get_absolute_url())


def test_the_reply_page_asks_readers_to_log_in_and_others_to_verify(theme, talk, unverified):
    address = reverse("comments:reply", args=[talk.pk])

    assert "/accounts/login/" in Client().get(address)["Location"]
    assert signed_in(unverified).get(address).status_code == 403


def test_no_reply_page_for_a_comment_on_a_source_the_member_cannot_see(member, other_member):
    hidden_source = SourceFactory(status=Source.Status.DECLINED, proposer=MemberFactory())
    comment = Comment.objects.create(source=hidden_source, author=other_member, body="Hm")

    response = signed_in(member).get(reverse("comments:reply", args=[comment.pk]))

    assert response.status_code == 404
