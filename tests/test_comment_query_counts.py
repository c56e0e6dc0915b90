"""A discussion costs the same number of queries with 2 comments as with 60: a page of threads
and, in one go, their replies, whatever their authors and states."""

import pytest

from comments import flags
from comments.models import Comment, Flag
from sources.models import Source

from .factories import CommentFactory, MemberFactory

pytestmark = pytest.mark.django_db

SIZES = [2, 60]
# A member may answer each comment, on a page of its own.
REPLY_LINK = '>Reply<span class="visually-hidden"> to '
Status = Comment.Status
# Every fourth thread and every fifth reply is removed, in turn deleted, held or hidden.
REMOVED = [Status.DELETED, Status.HELD, Status.HIDDEN]


@pytest.fixture
def make_discussion(member):
    """`count` comments on a target: threads of one comment and three replies, by five
    authors (the signed-in member among them), some deleted, held or hidden."""

    def make(target, count):
        authors = [member, *(MemberFactory() for _ in range(4))]
        on = {"source": target} if isinstance(target, Source) else {"theme": target}
        made = 0
        thread = 0
        while made < count:
            status = REMOVED[thread % 3] if thread % 4 == 3 else Status.VISIBLE
            top = CommentFactory(**on, author=authors[thread % 5], status=status)
            made += 1
            for reply in range(min(3, count - made)):
                status = REMOVED[reply % 3] if (made % 5) == 4 else Status.VISIBLE
                CommentFactory(
                    **on, parent=top, author=authors[(thread + reply) % 5], status=status
                )
                made += 1
            thread += 1
        made_here = Comment.objects.on(target)
        assert made_here.count() == count
        if count > 20:
            assert set(made_here.values_list("status", flat=True)) == set(Status.values)

    return make


def get_with_queries(client, assert_db_queries, url, queries):
    with assert_db_queries(queries):
        response = client.get(url)
    assert response.status_code == 200
    return response


def shown_comments(response):
    """How many comments (removed ones keep their place) the page rendered."""
    return response.content.decode().count('id="comment-')


# A page of the whole discussion (`?comments=1`) adds three queries to a page, whatever its size:
# the count of threads, the page of threads with their authors, and all their replies with their
# authors (the latest threads shown by default cost one query fewer: no count). The rest is the
# page's own queries (the caches' are not counted, sessions included: tests/conftest.py), its key
# first (sources/library/page_keys.py); a member's page reads themselves with their roles (one
# query); a source page read here for the first time reads its source twice (its row, then with what
# its facts show: sources/library/views.py `source_facts`). A change there moves these literals for
# both sizes at once.


@pytest.mark.parametrize("count", SIZES)
def test_theme_page_with_a_discussion(client, assert_db_queries, make_discussion, theme, count):
    make_discussion(theme, count)

    response = get_with_queries(
        client, assert_db_queries, f"{theme.get_absolute_url()}?comments=1", 11
    )

    assert shown_comments(response) == count


@pytest.mark.parametrize("count", SIZES)
def test_theme_page_with_a_discussion_for_a_member(
    client, assert_db_queries, make_discussion, member, theme, count
):
    make_discussion(theme, count)
    client.force_login(member)

    # With whether the member follows the theme.
    response = get_with_queries(
        client, assert_db_queries, f"{theme.get_absolute_url()}?comments=1", 13
    )

    assert shown_comments(response) == count
    assert REPLY_LINK in response.content.decode()


@pytest.mark.parametrize("count", SIZES)
def test_source_page_with_a_discussion(client, assert_db_queries, make_discussion, source, count):
    make_discussion(source, count)

    response = get_with_queries(
        client, assert_db_queries, f"{source.get_absolute_url()}?comments=1", 7
    )

    assert shown_comments(response) == count


@pytest.mark.parametrize("count", SIZES)
def test_source_page_with_a_discussion_for_a_member(
    client, assert_db_queries, make_discussion, member, source, count
):
    make_discussion(source, count)
    client.force_login(member)

    # With whether the member follows the source.
    response = get_with_queries(
        client, assert_db_queries, f"{source.get_absolute_url()}?comments=1", 10
    )

    assert shown_comments(response) == count
    assert REPLY_LINK in response.content.decode()


@pytest.mark.parametrize("count", [1, 12])
def test_flagged_tab(client, assert_db_queries, moderator, theme, source, count):
    for number in range(count):
        comment = CommentFactory(**({"theme": theme} if number % 2 else {"source": source}))
        for reason in [Flag.Reason.SPAM, Flag.Reason.OFF_TOPIC][: 1 + number % 2]:
            Flag.objects.create(comment=comment, member=MemberFactory(), reason=reason)
        hidden = CommentFactory(theme=theme)
        flags.hide(comment=hidden, moderator=moderator, reason="Spam.")
    client.force_login(moderator)

    response = get_with_queries(client, assert_db_queries, "/moderation/comments/", 6)

    assert len(response.context["comments"]) == count
    assert len(response.context["hidden"]) == count
    assert len(response.context["flaggers"]) == min(
        Flag.objects.order_by().values("member").distinct().count(), 20
    )


@pytest.mark.parametrize(("count", "thread_queries"), [(2, 1), (24, 1), (60, 2)])
def test_a_source_page_reads_its_latest_threads_in_one_query_or_two(
    client, assert_db_queries, make_discussion, source, count, thread_queries
):
    """A short discussion is read whole, in one query; a longer one by the ids of its latest
    threads, then those threads with their replies (comments/discussion.py `latest_threads`)."""
    make_discussion(source, count)
    visible = Comment.objects.on(source).filter(status=Status.VISIBLE).count()
    Source.objects.filter(pk=source.pk).update(comment_count=visible)
    latest = list(Comment.objects.on(source).top_level().order_by("-created_at", "-pk")[:5])
    expected = len(latest) + Comment.objects.filter(parent__in=latest).count()

    # Its key, its row with its proposer, its themes and its tags, then its threads.
    response = get_with_queries(
        client, assert_db_queries, source.get_absolute_url(), 4 + thread_queries
    )

    assert shown_comments(response) == expected
    has_earlier = Comment.objects.on(source).top_level().count() > len(latest)
    assert ('class="discussion__earlier"' in response.content.decode()) == has_earlier
