"""A discussion: reading a page of its threads, and posting, replying, editing and deleting.

Each change keeps the denormalized comment_count of the theme or source exact, in the same
transaction; e-mails go out after the commit.
"""

import hashlib
import secrets
from collections import defaultdict
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.paginator import Page
from django.db import transaction
from django.db.models import F
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from qlibrary.markdown import render
from sources import page_cache
from sources.access import is_member, is_moderator, stand_in_member
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


def threads(request, target):
    """The threads the request asks for: the latest ones on the target's own page, or a page of
    the whole discussion (`?comments=N`). Two queries (and the page count for a page): the
    top-level comments, then all their replies at once."""
    top_level = Comment.objects.on(target).top_level().for_thread()
    page, has_earlier = None, False
    if request.GET.get(PAGE_PARAMETER):
        page = paginate(
            request,
            top_level,
            per_page=settings.COMMENT_THREADS_PER_PAGE,
            parameter=PAGE_PARAMETER,
        )
        top_level = list(page.object_list)
    else:
        latest = list(top_level.reverse()[: settings.LATEST_COMMENT_THREADS + 1])
        has_earlier = len(latest) > settings.LATEST_COMMENT_THREADS
        top_level = latest[: settings.LATEST_COMMENT_THREADS][::-1]
    replies = defaultdict(list)
    for reply in Comment.objects.filter(parent__in=top_level).for_thread():
        replies[reply.parent_id].append(reply)
    for comment in top_level:
        comment.thread_replies = replies[comment.pk]
    is_theme = isinstance(target, Theme)
    return Discussion(
        target=target,
        threads=top_level,
        page=page,
        has_earlier=has_earlier,
        form=CommentForm(),
        post_url_name="comments:post_on_theme" if is_theme else "comments:post_on_source",
    )


def on_page(request, target):
    """The discussion for the page of `target`, as template context.

    Readers share one rendered section (`discussion_html`), and so do members, but for the
    authors of the comments shown: each is kept while the target's page version holds, and at
    most PAGE_TIMEOUT, so its relative times ("5 minutes ago") stay as fresh as a cached page's.
    A member who wrote one of the comments shown (whose buttons there are Edit and Delete), and a
    signed-in person who may not comment yet, get theirs rendered (`discussion`)."""
    user = request.user
    gathered = cache(lambda: threads(request, target))  # read at most once
    if not user.is_authenticated:
        html, _, _ = _kept(request, target, "readers", {}, gathered)
        return {"discussion_html": mark_safe(html)}  # noqa: S308 (our template, text sanitized)
    if not is_member(user):
        return {"discussion": gathered()}
    viewers = "moderators" if is_moderator(user) else "members"
    # Rendered for a member who wrote none of the comments (one with no account row), each
    # form's token field holding a random stand-in.
    any_member = stand_in_member(moderator=viewers == "moderators")
    for_any_member = {"user": any_member, "csrf_token": secrets.token_hex(16)}
    html, authors, stand_in = _kept(request, target, viewers, for_any_member, gathered)
    if user.pk in authors:
        return {"discussion": gathered()}
    # The whole field is replaced, never the bare value: text a member wrote is escaped (and
    # sanitized), so it can hold no <input> element, whatever it says.
    html = html.replace(_token_field(stand_in), _token_field(get_token(request)))
    return {"discussion_html": mark_safe(html)}  # noqa: S308 (as above)


def _token_field(token):
    # As Django's {% csrf_token %} writes it.
    return f'<input type="hidden" name="csrfmiddlewaretoken" value="{token}">'


def _kept(request, target, viewers, context, gathered):
    """The discussion section as `viewers` see it (the Discussion `gathered()` rendered with
    `context`), the ids of the authors of the comments it shows, and the stand-in token it was
    rendered with (the `csrf_token` of `context`, if any); kept."""
    if isinstance(target, Theme):
        version = page_cache.theme_page(target.slug)
    else:
        version = page_cache.source_page(target.slug)
    asked = hashlib.sha256(request.GET.get(PAGE_PARAMETER, "").encode()).hexdigest()

    def render_section():
        discussion = gathered()
        html = render_to_string(
            "comments/discussion.html", {**context, "discussion": discussion}, request
        )
        shown = [c for thread in discussion.threads for c in [thread, *thread.thread_replies]]
        return str(html), {comment.author_id for comment in shown}, context.get("csrf_token")

    return page_cache.remember(
        f"discussion:{viewers}:{version}:{asked}",
        render_section,
        depends_on=[version],
        timeout=page_cache.PAGE_TIMEOUT,
    )


class DiscussionError(Exception):
    """A change the discussion does not allow; the message is meant for the member."""


class CommentLimitReached(DiscussionError):
    pass


def adjust_count(target, change):
    """Move the visible-comment count of a theme or source by `change`."""
    type(target).objects.filter(pk=target.pk).update(comment_count=F("comment_count") + change)
    # An update() sends no signal: the pages showing the count are invalidated here.
    if isinstance(target, Theme):
        page_cache.theme_changed(target)
    else:
        page_cache.sources_changed([target.pk], what=page_cache.DISCUSSION)


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
