"""Moderators' pages: the queue and the review of one proposal; and the public log."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from . import moderation
from .access import moderator_required
from .duplicates import attach_similar_titles, similar_titles
from .forms import DecisionForm, ReasonForm, SourceForm
from .models import ModerationEvent, Source

# What the moderator is told once their decision is recorded.
DONE = {
    "approve": "Approved: “{title}” is now in the library.",
    "request_changes": "Changes requested: “{title}” is back with its proposer, with your reason.",
    "decline": "Declined: “{title}” will not join the library; the public log shows your reason.",
}
QUEUE_ORDERS = {"oldest": "Oldest first", "endorsed": "Most endorsed first"}
DECIDE = {
    "approve": moderation.approve,
    "request_changes": moderation.request_changes,
    "decline": moderation.decline,
}


@moderator_required
def queue(request):
    order = request.GET.get("order") if request.GET.get("order") in QUEUE_ORDERS else "oldest"
    ordering = ["-endorsement_count", "created_at"] if order == "endorsed" else ["created_at"]
    proposals = Source.objects.filter(status=Source.Status.PROPOSED).for_listing()
    page = Paginator(proposals.order_by(*ordering, "pk"), settings.LIBRARY_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    attach_similar_titles(page.object_list)
    context = {
        "page": page,
        "order": order,
        "orders": QUEUE_ORDERS,
        "waiting_for_changes": Source.objects.filter(
            status=Source.Status.CHANGES_REQUESTED
        ).count(),
    }
    return render(request, "sources/moderation_queue.html", context)


@moderator_required
def review(request, slug):
    """Review one source: correct its fields, then approve, decline or ask for changes."""
    source = get_object_or_404(Source.objects.for_listing(), slug=slug)
    edit_form = SourceForm(instance=source, prefix="source")
    decision_form = DecisionForm(prefix="decision")
    status = 200
    if request.method == "POST":
        edit_form = SourceForm(request.POST, instance=source, prefix="source")
        decision_form = DecisionForm(request.POST, prefix="decision")
        if edit_form.is_valid() and decision_form.is_valid():
            decision = decision_form.cleaned_data["decision"]
            try:
                # One transaction: a refused decision must not keep the corrections sent with it.
                with transaction.atomic():
                    if edit_form.has_changed():
                        moderation.edit(
                            source=source,
                            editor=request.user,
                            fields=edit_form.source_fields(),
                            themes=edit_form.cleaned_data["themes"],
                            tags=edit_form.cleaned_data["tags"],
                        )
                    DECIDE[decision](
                        source=source,
                        moderator=request.user,
                        reason=decision_form.cleaned_data["reason"],
                    )
            except (moderation.TransitionError, moderation.DuplicateSource) as error:
                messages.error(request, str(error))
                return redirect("sources:review", slug=source.slug)
            messages.success(request, DONE[decision].format(title=source.title))
            return redirect("sources:moderation")
        status = 400
    context = {
        "source": source,
        "edit_form": edit_form,
        "decision_form": decision_form,
        "retire_form": ReasonForm(prefix="retire"),
        "similar": similar_titles(source.title, exclude=source),
        "events": source.events.select_related("actor"),
    }
    return render(request, "sources/review.html", context, status=status)


@require_POST
@moderator_required
def retire(request, slug):
    source = get_object_or_404(Source, slug=slug)
    form = ReasonForm(request.POST, prefix="retire")
    if not form.is_valid():
        messages.error(request, "Give a reason for retiring the source: it is shown in the log.")
        return redirect("sources:review", slug=source.slug)
    try:
        moderation.retire(source=source, moderator=request.user, reason=form.cleaned_data["reason"])
    except moderation.TransitionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"“{source.title}” is retired from the library.")
    return redirect("sources:review", slug=source.slug)


def log(request):
    """The public log of moderators' decisions, with their reasons."""
    events = (
        ModerationEvent.objects.filter(action__in=ModerationEvent.PUBLIC)
        .select_related("source", "theme", "actor")
        .order_by("-created_at", "-pk")
    )
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "sources/moderation_log.html", {"page": page})
