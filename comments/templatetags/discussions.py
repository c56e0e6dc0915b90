"""The discussion of a theme or source, composed onto the pages that show it (a theme's page, a
source's page, a moderator's review), as django-contrib-comments does with its
`{% render_comment_list for object %}`: the page's view gathers nothing of the comments app.

    {% load discussions %}
    {% render_discussion source %}                 on a reader's page
    {% render_discussion source cached=False %}    rendered afresh (the moderators' review)

and, in templates/comments/comment.html, what the person it is rendered for may do with a comment:

    {% comment_permissions comment as permissions %}
"""

from django import template

from ..discussion import on_page, threads
from ..permissions import CommentPermissions

register = template.Library()


@register.simple_tag(takes_context=True)
def render_discussion(context, target, *, cached=True):
    """The discussion section of `target` (templates/comments/discussion.html) for the request
    being answered: as `on_page` gives it (readers share a rendering of the threads, and so do
    most members), or, with `cached=False`, the threads read and rendered afresh."""
    request = context.request
    discussion = on_page(request, target) if cached else threads(request, target)
    # Rendered in the page's own context, as {% include %} would: the same user, form token and
    # context processors' values.
    section = context.template.engine.get_template("comments/discussion.html")
    with context.push(discussion=discussion):
        return section.render(context)


@register.simple_tag(takes_context=True)
def comment_permissions(context, comment):
    """The `CommentPermissions` of `comment` for the context's `user`: the person the threads are
    rendered for, whose rendering every viewer in the same place shares (comments/discussion.py
    `on_page` says who)."""
    return CommentPermissions(comment, context["user"])
