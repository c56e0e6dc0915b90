"""A discussion: reading a page of its threads, and posting, replying, editing and deleting.

Each change keeps the denormalized comment_count of the theme or source exact, in the same
transaction; e-mails go out after the commit.
"""

import time
from collections import defaultdict
from dataclasses import dataclass

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
    top-level comment with its replies in `thread_replies`, and the form to join in."""

    target: Theme | Source
    threads: list
    page: Page | None
    form: CommentForm
    post_url_name: str
    has_earlier: bool = False
    page_parameter: str = PAGE_PARAMETER


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
    is_theme = isinstance(target, Theme)
    return Discussion(
        target=target,
        threads=top_level,
        page=page,
        has_earlier=has_earlier,
        form=CommentForm(),
        post_url_name="comments:post_on_theme" if is_theme else "comments:post_on_source",
    )


def latest_threads(target):
    """The latest threads of `target`, each with its replies, and whether there are earlier
    ones. The latest top-level comments' ids come from an index alone; then the comments and
    their replies are read together, by those ids."""
    shown = settings.LATEST_COMMENT_THREADS
    # One more than is shown, to tell whether there are earlier threads.
    latest = Comment.objects.on(target).top_level().reverse().values_list("pk", flat=True)
    latest = list(latest[: shown + 1])
    rows = Comment.objects.filter(Q(pk__in=latest) | Q(parent__in=latest)).for_thread()
    top_level, replies = [], defaultdict(list)
    for comment in rows:  # oldest first
        if comment.parent_id is None:
            top_level.append(comment)
        else:
            replies[comment.parent_id].append(comment)
    for comment in top_level:
        comment.thread_replies = replies[comment.pk]
    return top_level[-shown:], len(top_level) > shown


def _with_replies(top_level):
    replies = defaultdict(list)
    for reply in Comment.objects.filter(parent__in=top_level).for_thread():
        replies[reply.parent_id].append(reply)
    for comment in top_level:
        comment.thread_replies = replies[comment.pk]
    return top_level


def on_page(request, target):
    """The discussion for the page of `target`, as template context.

    Readers share one rendered section (`discussion_html`), a fragment keyed by the target's
    `updated_at` (a comment's change touches its target: qlibrary/cache.py; the target was read
    in this request) and the page's key or the cache generation (a member renamed), kept at most
    PAGE_TIMEOUT so its relative times ("5 minutes ago") stay true. A signed-in person's holds
    their buttons and form token, and is rendered for them (`discussion`)."""
    page_key = getattr(request, "page_key", None) or page_keys.common()
    if request.user.is_authenticated:
        if request.GET.get(PAGE_PARAMETER):
            return {"discussion": threads(request, target)}
        # The latest threads as read from the database, the same for everyone: rendered for
        # each member (their buttons, their form token) from this fragment.
        latest = fragment(
            f"threads:{type(target).__name__}:{target.pk}",
            (target.updated_at, *page_key),
            lambda: latest_threads(target),
            timeout=PAGE_TIMEOUT,
        )
        return {"discussion": threads(request, target, latest)}
    html = fragment(
        f"discussion:{type(target).__name__}:{target.pk}",
        (
            target.updated_at,
            request.GET.get(PAGE_PARAMETER, ""),
            int(time.time() // PAGE_TIMEOUT),
            *page_key,
        ),
        lambda: str(
            render_to_string(
                "comments/discussion.html", {"discussion": threads(request, target)}, request
            )
        ),
        timeout=PAGE_TIMEOUT,
    )
    return {"discussion_html": mark_safe(html)}  # noqa: S308 (our template, text sanitized)


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
