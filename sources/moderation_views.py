"""Moderators' pages: the queue and the review of one proposal; and the public log."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from comments.discussion import threads

from . import changes, moderation
from .access import moderator_required
from .duplicates import attach_similar_titles, same_domain, similar_titles
from .forms import DecisionForm, ReasonForm, SourceForm
from .models import ModerationEvent, Source
from .pagination import paginate
from .permissions import SourcePermissions

QUEUE_ORDERS = {"oldest": "Oldest first", "endorsed": "Most endorsed first"}
# What the moderator sees once the decision is recorded, by decision.
DONE = {
    ModerationEvent.Action.APPROVE: "“{title}” is approved and now in the library.",
    ModerationEvent.Action.REQUEST_CHANGES: (
        "“{title}” is sent back to its proposer with your request for changes."
    ),
    ModerationEvent.Action.DECLINE: "“{title}” is declined; the proposer has your reason.",
}


@moderator_required
def queue(request):
    order = request.GET.get("order") if request.GET.get("order") in QUEUE_ORDERS else "oldest"
    ordering = ["-endorsement_count", "created_at"] if order == "endorsed" else ["created_at"]
    proposals = Source.objects.filter(status=Source.Status.PROPOSED).for_listing()
    page = paginate(request, proposals.order_by(*ordering, "pk"))
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
    """The proposal in full (with what changed since changes were asked for, its endorsements,
    discussion and possible duplicates) and the moderator's decision, with any corrections."""
    source = get_object_or_404(Source.objects.for_listing(), slug=slug)
    edit_form = SourceForm(instance=source, prefix="source")
    decision_form = DecisionForm(prefix="decision")
    status = 200
    if request.method == "POST":
        edit_form = SourceForm(request.POST, instance=source, prefix="source")
        decision_form = DecisionForm(request.POST, prefix="decision")
        if edit_form.is_valid() and decision_form.is_valid():
            decision = decision_form.cleaned_data["decision"]
            corrections = None
            if edit_form.has_changed():
                corrections = {
                    "fields": edit_form.source_fields(),
                    "themes": edit_form.cleaned_data["themes"],
                    "tags": edit_form.cleaned_data["tags"],
                }
            try:
                moderation.review(
                    source=source,
                    moderator=request.user,
                    decision=decision,
                    reason=decision_form.cleaned_data["reason"],
                    corrections=corrections,
                )
            except (moderation.TransitionError, moderation.DuplicateSource) as error:
                messages.error(request, str(error))
                return redirect("sources:review", slug=source.slug)
            messages.success(request, DONE[decision].format(title=source.title))
            return redirect("sources:moderation")
        status = 400
        # The form's own errors are shown; the page shows the proposal as it is stored.
        source.refresh_from_db()
    events = list(source.events.select_related("actor").order_by("created_at", "pk"))
    changes_asked, changed = changes.resubmitted_changes(source, events)
    context = {
        "source": source,
        "permissions": SourcePermissions(source, request.user),
        "edit_form": edit_form,
        "decision_form": decision_form,
        "retire_form": ReasonForm(prefix="retire"),
        "similar": similar_titles(source.title, exclude=source),
        "same_site": same_domain(source),
        "endorsements": source.endorsements.select_related("member").order_by("created_at"),
        "events": events,
        "changes_asked": changes_asked,
        "changes": changed,
        "discussion": threads(request, source),
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
    page = paginate(request, events)
    return render(request, "sources/moderation_log.html", {"page": page})
