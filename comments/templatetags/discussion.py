"""{% discussion target %}: the threads of a theme or source, with the form to join in.

The library's pages render it, so the comments app depends on sources and never the reverse.
It runs a fixed number of queries: the page of top-level comments and, in one go, their replies.
"""

from collections import defaultdict

from django import template
from django.conf import settings
from django.core.paginator import Paginator

from sources.models import Theme

from ..forms import CommentForm
from ..models import Comment

register = template.Library()

PAGE_PARAMETER = "comments"


@register.inclusion_tag("comments/discussion.html", takes_context=True)
def discussion(context, target):
    request = context["request"]
    threads = Comment.objects.on(target).top_level().for_thread()
    page = Paginator(threads, settings.COMMENT_THREADS_PER_PAGE).get_page(
        request.GET.get(PAGE_PARAMETER)
    )
    replies = defaultdict(list)
    top_level = list(page.object_list)
    for reply in Comment.objects.filter(parent__in=top_level).for_thread():
        replies[reply.parent_id].append(reply)
    for comment in top_level:
        comment.thread_replies = replies[comment.pk]
    is_theme = isinstance(target, Theme)
    return {
        "request": request,
        "user": context["user"],
        "is_member": context.get("is_member"),
        "is_moderator": context.get("is_moderator"),
        "target": target,
        "post_url_name": "comments:post_on_theme" if is_theme else "comments:post_on_source",
        "threads": top_level,
        "page": page,
        "page_parameter": PAGE_PARAMETER,
        "form": CommentForm(),
        "csrf_token": context.get("csrf_token"),
    }
