"""Posting, editing, deleting and flagging comments; the moderators' flagged-comments tab."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from qlibrary.markdown import render as render_markdown
from sources.access import member_required, moderator_required
from sources.models import Source, Theme

from . import discussion, flags
from .forms import CommentForm, FlagForm, ReasonForm
from .models import Comment
from .permissions import CommentPermissions, post_refusal

RECENTLY_HIDDEN = 20
FLAGGERS_SHOWN = 20


@require_POST
@member_required
def post_on_theme(request, slug):
    return _post(request, get_object_or_404(Theme, slug=slug))


@require_POST
@member_required
def post_on_source(request, slug):
    return _post(request, get_object_or_404(Source.objects.visible_to(request.user), slug=slug))


def _post(request, target):
    form = CommentForm(request.POST)
    status = 400
    if form.is_valid() and "preview" in request.POST:
        context = {"form": form, "target": target, "preview": _preview(form)}
        return render(request, "comments/preview.html", context)
    if form.is_valid():
        parent_id = form.cleaned_data["parent"]
        parent = Comment.objects.on(target).filter(pk=parent_id).first() if parent_id else None
        try:
            if parent_id and parent is None:
                # Not silently a new thread: the member meant to answer someone.
                raise discussion.DiscussionError("You can only reply within the same discussion.")
            comment = discussion.post(
                author=request.user, target=target, body=form.cleaned_data["body"], parent=parent
            )
        except discussion.CommentLimitReached as error:
            form.add_error(None, str(error))
            status = 429
        except discussion.DiscussionError as error:
            form.add_error(None, str(error))
            status = 403
        else:
            messages.success(request, "Your comment is posted.")
            return redirect(comment.get_page_url())
    context = {"form": form, "target": target}
    return render(request, "comments/post_failed.html", context, status=status)


def _check_visible(comment, user):
    """A comment on a source `user` may not open is, for them, no comment at all."""
    if (
        comment.source_id is not None
        and not Source.objects.visible_to(user).filter(pk=comment.source_id).exists()
    ):
        raise Http404("No such comment.")


@member_required
def reply(request, pk):
    """The form to answer a comment, under it, on a page of its own: the discussion's threads then
    hold no form, and members share one rendering of them (comments/discussion.py `on_page`).
    The form posts to the discussion, as a new comment does."""
    comment = get_object_or_404(Comment.objects.select_related("author", "theme", "source"), pk=pk)
    _check_visible(comment, request.user)
    target = comment.target
    refusal = post_refusal(target, request.user)
    if not refusal and not CommentPermissions(comment, request.user).can_reply:
        refusal = "This comment has been hidden or deleted, so it takes no more replies."
    if refusal:
        messages.error(request, refusal)
        return redirect(comment.get_page_url())
    form = CommentForm(initial={"parent": comment.pk})
    form.fields["body"].label = f"Your reply to {comment.author_name}"
    context = {
        "comment": comment,
        "target": target,
        "form": form,
        "post_url": reverse(discussion.post_url_name(target), args=[target.slug]),
    }
    return render(request, "comments/reply.html", context)


@member_required
def edit(request, pk):
    comment = get_object_or_404(Comment, pk=pk)
    if not CommentPermissions(comment, request.user).can_edit:
        raise Http404("No such comment.")
    form = CommentForm(request.POST or None, instance=comment)
    if request.method == "POST" and form.is_valid() and "preview" in request.POST:
        context = {"form": form, "comment": comment, "preview": _preview(form)}
        return render(request, "comments/edit.html", context)
    if request.method == "POST" and form.is_valid():
        discussion.edit(comment=comment, author=request.user, body=form.cleaned_data["body"])
        messages.success(request, "Your comment is updated.")
        return redirect(comment.get_page_url())
    status = 400 if request.method == "POST" else 200
    return render(request, "comments/edit.html", {"form": form, "comment": comment}, status=status)


def _preview(form):
    """An unsaved comment holding the form's text rendered as it would be posted, for the
    template that shows every comment's text (comments/body.html)."""
    body = form.cleaned_data["body"]
    return Comment(body=body, body_html=render_markdown(body))


@member_required
def delete(request, pk):
    comment = get_object_or_404(
        Comment.objects.exclude(status=Comment.Status.DELETED), pk=pk, author=request.user
    )
    refusal = CommentPermissions(comment, request.user).delete_refusal
    if refusal:
        messages.error(request, refusal)
        return redirect(comment.get_page_url())
    if request.method == "POST":
        try:
            discussion.delete(comment=comment, author=request.user)
        except discussion.DiscussionError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Your comment is deleted. Replies to it stay in the thread.")
        return redirect(comment.get_page_url())
    return render(request, "comments/delete.html", {"comment": comment})


@member_required
def flag(request, pk):
    comment = get_object_or_404(
        Comment.objects.select_related("theme", "source").exclude(status=Comment.Status.DELETED),
        pk=pk,
    )
    _check_visible(comment, request.user)
    form = FlagForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            flags.flag(
                comment=comment,
                member=request.user,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except flags.FlagLimitReached as error:
            context = {"form": form, "comment": comment, "limit_message": str(error)}
            return render(request, "comments/flag.html", context, status=429)
        except discussion.DiscussionError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Thank you: the moderators will look at this comment.")
        return redirect(comment.target.get_absolute_url() + "#discussion")
    status = 400 if request.method == "POST" else 200
    return render(request, "comments/flag.html", {"form": form, "comment": comment}, status=status)


@moderator_required
def flagged(request):
    """Comments with open flags or held back by them, oldest first."""
    comments = (
        Comment.objects.filter(status__in=[Comment.Status.VISIBLE, Comment.Status.HELD])
        .with_open_flags()
        .select_related("author", "theme", "source")
        .prefetch_related("flags__member")
        .order_by("created_at", "pk")
    )
    hidden = (
        Comment.objects.filter(status=Comment.Status.HIDDEN)
        .select_related("author", "theme", "source")
        .order_by("-pk")[:RECENTLY_HIDDEN]
    )
    context = {
        "comments": comments,
        "hidden": hidden,
        "flaggers": flags.flaggers()[:FLAGGERS_SHOWN],
        "reason_form": ReasonForm(),
    }
    return render(request, "comments/flagged.html", context)


@require_POST
@moderator_required
def dismiss_member_flags(request, member_id):
    """Undo one member's flagging in one action: their open flags go, what they held comes back."""
    member = get_object_or_404(get_user_model(), pk=member_id)
    dismissed, restored = flags.dismiss_member_flags(member=member, moderator=request.user)
    messages.success(
        request,
        f"Dismissed {dismissed} open flag{'s' if dismissed != 1 else ''} by "
        f"{member.public_name}; {restored} comment{'s' if restored != 1 else ''} "
        f"{'are' if restored != 1 else 'is'} back in the discussion.",
    )
    return redirect("comments:flagged")


@require_POST
@moderator_required
def moderate(request, pk, action):
    comment = get_object_or_404(Comment, pk=pk)
    reason = request.POST.get("reason", "")
    if reason and action != "dismiss":
        # The log shows the reason: hold it to the form's rules (length, no NUL characters).
        reason_form = ReasonForm({"reason": reason})
        if not reason_form.is_valid():
            messages.error(request, reason_form.errors["reason"][0])
            return redirect("comments:flagged")
        reason = reason_form.cleaned_data["reason"]
    try:
        if action == "hide":
            flags.hide(comment=comment, moderator=request.user, reason=reason)
            done = "The comment is hidden and the log records why."
        elif action == "restore":
            flags.restore(comment=comment, moderator=request.user, reason=reason)
            done = "The comment is back in the discussion."
        else:
            flags.dismiss_flags(comment=comment, moderator=request.user)
            done = "The flags are dismissed."
    except discussion.DiscussionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return redirect("comments:flagged")
