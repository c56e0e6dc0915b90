"""A discussion: reading a page of its threads, and posting, replying, editing and deleting.

Each change keeps the denormalized comment_count of the theme or source exact, in the same
transaction; e-mails go out after the commit.
"""

import functools
import time
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.paginator import Page
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from qlibrary.cache import PAGE_TIMEOUT, fragment
from qlibrary.markdown import render
from sources.access import is_member, is_moderator
from sources.library import page_keys
from sources.models import Source, Theme
from sources.pagination import paginate

from . import limits, notifications
from .forms import CommentForm
from .models import Comment
from .permissions import delete_refusal, edit_refusal, post_refusal, reply_refusal

Status = Comment.Status
PAGE_PARAMETER = "comments"


@dataclass
class Discussion:
    """What templates/comments/discussion.html shows: the latest threads (`page` is None, and
    `has_earlier` says whether there are more), or a page of the whole discussion; each
    top-level comment with its replies in `thread_replies`; or, instead of the threads, their
    rendering shared by many viewers (`html`, from `on_page`). Then the form to join in: its
    fields, empty (`form_fields`), and where it posts (`post_url_name`)."""

    target: Theme | Source
    form_fields: str
    post_url_name: str
    threads: list = field(default_factory=list)
    page: Page | None = None
    has_earlier: bool = False
    html: str = ""
    page_parameter: str = PAGE_PARAMETER


def post_url_name(target):
    """The URL name a comment on `target` (a theme or a source) is posted to."""
    return "comments:post_on_theme" if isinstance(target, Theme) else "comments:post_on_source"


def _discussion(target, **shown):
    return Discussion(
        target=target,
        form_fields=empty_form_fields(),
        post_url_name=post_url_name(target),
        **shown,
    )


@functools.cache
def empty_form_fields():
    """The fields of the form to join a discussion, empty: the same on every page, so rendered
    once per process (a form's widgets are templates of their own, about a millisecond a form).
    The form's token is no field: the page's template writes it, for each viewer."""
    form = CommentForm()
    field = render_to_string("includes/form_field.html", {"field": form["body"]})
    return mark_safe(str(form["parent"]) + field)  # noqa: S308 (our templates, no user text)


def threads(request, target, latest=None):
    """The threads the request asks for: the latest ones on the target's own page, or a page of
    the whole discussion (`?comments=N`). Two queries (and the page count for a page): the
    top-level comments, then all their replies at once. `latest` is what `latest_threads`
    gave, when the caller has it."""
    page, has_earlier = None, False
    if request.GET.get(PAGE_PARAMETER):
        page = paginate(
            request,
            Comment.objects.on(target).top_level().for_thread(),
            per_page=settings.COMMENT_THREADS_PER_PAGE,
            parameter=PAGE_PARAMETER,
        )
        top_level = _with_replies(list(page.object_list))
    else:
        top_level, has_earlier = latest or latest_threads(target)
    return _discussion(target, threads=top_level, page=page, has_earlier=has_earlier)


# A discussion with fewer comments than this (most sources') is read whole, in one query.
SHORT_DISCUSSION = 25


def latest_threads(target):
    """The latest threads of `target`, each with its replies, and whether there are earlier
    ones. A short discussion is read whole, newest first, in one query. Otherwise the latest
    top-level comments' ids come from an index alone; then the comments and their replies are
    read together, by those ids."""
    shown = settings.LATEST_COMMENT_THREADS
    if target.comment_count < SHORT_DISCUSSION:
        newest = list(Comment.objects.on(target).for_thread().reverse()[:SHORT_DISCUSSION])
        # Fewer than asked for: all of it (removed comments, which the count leaves out, may
        # have made it longer).
        if len(newest) < SHORT_DISCUSSION:
            top_level = _threads_of(reversed(newest))
            return top_level[-shown:], len(top_level) > shown
    # One more than is shown, to tell whether there are earlier threads.
    latest = Comment.objects.on(target).top_level().reverse().values_list("pk", flat=True)
    latest = list(latest[: shown + 1])
    rows = Comment.objects.filter(Q(pk__in=latest) | Q(parent__in=latest)).for_thread()
    top_level = _threads_of(rows)
    return top_level[-shown:], len(top_level) > shown


def _with_replies(top_level):
    replies = Comment.objects.filter(parent__in=top_level).for_thread()
    return _threads_of([*top_level, *replies])


def _threads_of(comments):
    """The top-level ones of `comments`, in their order, each with its replies among `comments`
    in `thread_replies`, in theirs."""
    top_level, replies = [], defaultdict(list)
    for comment in comments:
        if comment.parent_id is None:
            top_level.append(comment)
        else:
            replies[comment.parent_id].append(comment)
    for comment in top_level:
        comment.thread_replies = replies[comment.pk]
    return top_level


def on_page(request, target):
    """The `Discussion` for the page of `target`.

    Its threads are rendered once for many viewers (`Discussion.html`): a fragment keyed by the
    target's `updated_at` (a comment's change touches its target: qlibrary/cache.py; the target
    was read in this request), the cache generation (a member renamed), and the minute, so that
    relative times ("5 minutes ago") stay true. Not by the rest of the page's key: a change to
    another source moves a theme page's key, not its discussion.

    - Readers share one rendering.
    - So do members, moderators included, to whom the threads show nothing of their own: what
      they may do with a comment is Reply or Flag, each a link to a page of its own, so the
      threads hold no form and no form token.
    - The author of a comment shown (their Edit and Delete), a moderator when a hidden comment is
      shown (Restore, a form), and a person whose address is not verified yet get the threads
      rendered for them.

    The form to join in, with its token, is each viewer's own (templates/comments/discussion.html).
    """
    # The generation: the start of the page's key (sources/library/page_keys.py).
    generation = (getattr(request, "page_key", None) or page_keys.common())[:1]
    user = request.user
    asked = request.GET.get(PAGE_PARAMETER, "")
    if not user.is_authenticated:
        gather = functools.partial(threads, request, target)
        return _shared(request, target, "readers", (asked, *generation), gather)
    if asked:
        return threads(request, target)
    # The latest threads as read from the database, the same for everyone.
    latest = fragment(
        f"threads:{type(target).__name__}:{target.pk}",
        (target.updated_at, *generation),
        lambda: latest_threads(target),
        timeout=PAGE_TIMEOUT,
    )
    if not is_member(user) or _shows_their_own(latest[0], user):
        return threads(request, target, latest)
    gather = functools.partial(threads, request, target, latest)
    return _shared(request, target, "members", generation, gather)


def _shared(request, target, viewers, parts, gather):
    """The Discussion of `target` with its threads rendered as every one of `viewers` sees them
    (`gather()` gives them), a fragment."""
    html = fragment(
        f"discussion:{viewers}:{type(target).__name__}:{target.pk}",
        (target.updated_at, int(time.time() // PAGE_TIMEOUT), *parts),
        lambda: str(render_to_string("comments/threads.html", {"discussion": gather()}, request)),
        timeout=PAGE_TIMEOUT,
    )
    return _discussion(target, html=mark_safe(html))  # noqa: S308 (our template, text sanitized)


def _shows_their_own(top_level, user):
    """Whether the threads show `user` something of theirs: Edit and Delete on a comment they
    wrote, or, to a moderator, Restore on a hidden comment."""
    shown = [comment for thread in top_level for comment in (thread, *thread.thread_replies)]
    return any(comment.author_id == user.pk for comment in shown) or (
        is_moderator(user) and any(comment.is_hidden for comment in shown)
    )


class DiscussionError(Exception):
    """A change the discussion does not allow; the message is meant for the member."""


class CommentLimitReached(DiscussionError):
    pass


def adjust_count(target, change):
    """Move the visible-comment count of a theme or source by `change`."""
    # The querysets of themes and sources set `updated_at` too (qlibrary/cache.py).
    type(target).objects.filter(pk=target.pk).update(comment_count=F("comment_count") + change)


def post(*, author, target, body, parent=None):
    """Add a comment to a theme or source; a reply to a reply joins the same thread."""
    refusal = post_refusal(target, author)
    if refusal:
        raise DiscussionError(refusal)
    if parent is not None:
        parent.refresh_from_db(fields=["status"])  # a moderator may have just hidden it
        refusal = reply_refusal(parent, author)
        if refusal:
            raise DiscussionError(refusal)
        parent = parent.parent or parent
        if parent.target != target:
            raise DiscussionError("You can only reply within the same discussion.")
    with transaction.atomic():
        # The member's row is locked while the limit is checked and the comment written, so
        # parallel posts queue here instead of all passing the check. NO KEY: rows that merely
        # refer to the member (an endorsement, another comment's author) are not held up.
        get_user_model().objects.select_for_update(no_key=True).filter(pk=author.pk).first()
        if limits.comments_left(author) == 0:
            raise CommentLimitReached(
                "You have posted a lot of comments in the last few minutes. Please wait a little "
                "and post again: your text is still in the form below."
            )
        # Count first: the UPDATE takes the target's row lock before the comment's foreign key
        # takes a weaker share lock on it, which it would later have to upgrade. Upgrading
        # deadlocks with an endorsement or a moderator's decision waiting in SELECT ... FOR
        # UPDATE on the same source (found by tests/test_write_integrity.py).
        adjust_count(target, +1)
        comment = Comment.objects.create(
            theme=target if isinstance(target, Theme) else None,
            source=target if isinstance(target, Source) else None,
            parent=parent,
            author=author,
            body=body,
            body_html=render(body),
        )
        transaction.on_commit(lambda: notifications.new_comment(comment), robust=True)
    return comment


def edit(*, comment, author, body):
    """The author rewrites their comment, which is then marked as edited."""
    with transaction.atomic():
        locked = Comment.objects.select_for_update().get(pk=comment.pk)
        refusal = edit_refusal(locked, author)
        if refusal:
            raise DiscussionError(refusal)
        locked.body = body
        locked.body_html = render(body)
        locked.edited_at = timezone.now()
        locked.save(update_fields=["body", "body_html", "edited_at"])
    return locked


def delete(*, comment, author):
    """The author removes their text; the comment's place (and its replies) stay in the thread."""
    with transaction.atomic():
        locked = Comment.objects.select_for_update().get(pk=comment.pk)
        if locked.status == Status.DELETED and locked.author_id == author.pk:
            return locked
        refusal = delete_refusal(locked, author)
        if refusal:
            raise DiscussionError(refusal)
        if locked.status == Status.VISIBLE:
            adjust_count(locked.target, -1)
        locked.status = Status.DELETED
        locked.body = ""
        locked.body_html = ""
        locked.save(update_fields=["status", "body", "body_html"])
    return locked
