"""Moderators' pages: the queue, the review of one proposal, importing a reading list; and the
public log."""

from django.contrib import messages
from django.db import models
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.views.decorators.http import require_POST

from sources import tasks
from sources.access import moderator_required
from sources.checks import link_health
from sources.evidence import imports
from sources.models import ImportRun, LinkHealth, ModerationEvent, Source
from sources.pagination import paginate
from sources.permissions import SourcePermissions
from sources.proposals import changes, moderation, reviews, saved_reasons
from sources.proposals.duplicates import attach_similar_titles, same_domain, similar_titles
from sources.proposals.forms import (
    CorrectionsForm,
    DecisionForm,
    ImportForm,
    ReasonForm,
    SourceReviewForm,
)
from sources.proposals.proposer_record import proposer_record


class QueueOrder(models.TextChoices):
    """The orders of the moderators' queue."""

    OLDEST = "oldest", "Oldest first"
    ENDORSED = "endorsed", "Most endorsed first"


# What the moderator sees once the decision is recorded, by decision.
DONE = {
    ModerationEvent.Action.APPROVE: "Approved: “{title}” is now in the library.",
    ModerationEvent.Action.REQUEST_CHANGES: (
        "Changes requested: “{title}” is back with its proposer, with your reason."
    ),
    ModerationEvent.Action.DECLINE: (
        "Declined: “{title}” will not join the library; the public log shows your reason."
    ),
}


@moderator_required
def queue(request):
    order = request.GET.get("order")
    order = order if order in QueueOrder.values else QueueOrder.OLDEST
    ordering = ["created_at"]
    if order == QueueOrder.ENDORSED:
        ordering = ["-endorsement_count", "created_at"]
    proposals = Source.objects.filter(status=Source.Status.PROPOSED).for_listing()
    page = paginate(request, proposals.order_by(*ordering, "pk"))
    attach_similar_titles(page.object_list)
    context = {
        "page": page,
        "order": order,
        "orders": dict(QueueOrder.choices),
        "waiting_for_changes": Source.objects.filter(
            status=Source.Status.CHANGES_REQUESTED
        ).count(),
    }
    return render(request, "sources/moderation_queue.html", context)


@moderator_required
def review(request, slug):
    """The proposal in full (with what changed since changes were asked for, its endorsements,
    discussion, possible duplicates, its link's health and its proposer's record) and the
    moderator's decision, with any corrections and ready-made reasons."""
    source = get_object_or_404(
        Source.objects.for_listing().select_related("link_health"), slug=slug
    )
    edit_form = CorrectionsForm(instance=source, prefix="source")
    decision_form = DecisionForm(prefix="decision")
    status = 200
    # The kind's publisher or journal is needed to approve, not to decline or send back.
    approving = request.POST.get("decision-decision") == ModerationEvent.Action.APPROVE
    if request.method == "POST" and "add_reason" in request.POST:
        # Nothing is decided: the form comes back as it was, with the chosen reason added.
        edit_form = CorrectionsForm(
            request.POST, instance=source, prefix="source", approving=approving
        )
        reason = saved_reasons.with_saved_reason(
            request.POST.get("decision-reason", ""), request.POST.get("saved_reason", "")
        )
        initial = {"decision": request.POST.get("decision-decision", ""), "reason": reason}
        decision_form = DecisionForm(prefix="decision", initial=initial)
        # Corrections are checked (their errors show) but the page shows the proposal as stored.
        edit_form.is_valid()
        source.refresh_from_db()
    elif request.method == "POST":
        edit_form = CorrectionsForm(
            request.POST, instance=source, prefix="source", approving=approving
        )
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
            except moderation.MissingSummary as error:
                edit_form.add_error("summary", str(error))
            except (moderation.TransitionError, moderation.DuplicateSource) as error:
                messages.error(request, str(error))
                return redirect("sources:review", slug=source.slug)
            else:
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
        "link": link_health.health_of(source),
        "proposer_record": proposer_record(source.proposer) if source.proposer else None,
        "saved_reasons": saved_reasons.SAVED_REASONS,
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


@moderator_required
def links(request):
    """Links that failed, are broken, or moved for good: what failed, when and how."""
    page = paginate(request, link_health.for_moderators())
    context = {"page": page, "overview": link_health.overview()}
    return render(request, "sources/link_health.html", context)


@require_POST
@moderator_required
def accept_new_address(request, slug):
    source = get_object_or_404(Source.objects.approved(), slug=slug)
    try:
        link_health.accept_new_address(source=source, moderator=request.user)
    except link_health.AddressNotUpdated as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"“{source.title}” now links to its new address.")
    return redirect("sources:link_health")


@require_POST
@moderator_required
def check_link(request, slug):
    """Check a source's link now, from its review page (proposals are not checked daily)."""
    source = get_object_or_404(Source.objects.exclude(url=""), slug=slug)
    health = link_health.check_now(source=source)
    answer = health.error or health.get_outcome_display().lower()
    if health.outcome == LinkHealth.Outcome.FAILED:
        messages.error(request, f"The link failed just now: {answer}.")
    else:
        messages.success(request, f"The link was checked just now: {answer}.")
    return redirect(reverse("sources:review", args=[source.slug]) + "#link-heading")


@moderator_required
def due_for_review(request):
    """Sources in the library whose review date has come, the most overdue first."""
    page = paginate(request, reviews.due())
    return render(request, "sources/due_for_review.html", {"page": page})


@moderator_required
def record_review(request, slug):
    """Review one source in the library: the note for the log, the next date, any successor.

    The successor is found by its title: "Find" (or a GET with ?successor_q=) shows the form
    again, as the moderator left it, with the matching sources to choose from."""
    source = get_object_or_404(Source.objects.approved().select_related("superseded_by"), slug=slug)
    data = request.POST if request.method == "POST" else request.GET
    finding = request.method == "GET" or "find_successor" in request.POST
    initial = {
        "next_review_by": reviews.default_review_by(source.kind),
        "superseded_by": source.superseded_by.get_absolute_url() if source.superseded_by else "",
    }
    if finding:
        # Nothing is checked or saved: the form comes back with what was typed in it.
        kept = {name: data[name] for name in SourceReviewForm.base_fields if name in data}
        form = SourceReviewForm(source=source, initial={**initial, **kept})
    else:
        form = SourceReviewForm(request.POST, source=source, initial=initial)
        if form.is_valid():
            try:
                reviews.record_review(source=source, moderator=request.user, **form.cleaned_data)
            except reviews.ReviewError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, f"Review of “{source.title}” recorded in the public log.")
                return redirect("sources:due_for_review")
    query = data.get("successor_q", "").strip()[:200]
    picked, found = reviews.successor_candidates(
        source, query, chosen=form["superseded_by"].value() or ""
    )
    context = {
        "source": source,
        "form": form,
        "successor_q": query,
        "picked": picked,
        "found": found,
    }
    status = 400 if request.method == "POST" and not finding else 200
    return render(request, "sources/record_review.html", context, status=status)


def log(request):
    """The public log of moderators' decisions, with their reasons."""
    events = (
        ModerationEvent.objects.filter(action__in=ModerationEvent.PUBLIC)
        .select_related("source", "theme", "actor", "reading_list")
        .order_by("-created_at", "-pk")
    )
    page = paginate(request, events)
    return render(request, "sources/moderation_log.html", {"page": page})


@moderator_required
def import_list(request):
    """Bring a reading list in: a short one is previewed, then imported once confirmed; a long
    one is imported as background work while the moderator follows its progress."""
    if request.method == "POST" and "confirm" in request.POST:
        return _confirm_import(request)
    form = ImportForm(prefix="import", max_bytes=imports.MAX_BYTES)
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES, prefix="import", max_bytes=imports.MAX_BYTES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                scanned = imports.scan(data["text"], data["name"])
                if scanned.fits_in_request:
                    format, entries = imports.read_entries(data["text"], data["name"])
            except imports.ImportRefused as error:
                form.add_error(None, str(error))
            else:
                run = imports.start_run(
                    moderator=request.user,
                    text=data["text"],
                    label=data["label"],
                    name=data["name"],
                    themes=data["themes"],
                    stance=data["stance"],
                    scanned=scanned,
                )
                if not scanned.fits_in_request:
                    tasks.import_reading_list.enqueue(run.pk)
                    return redirect("sources:import_run", pk=run.pk)
                context = {
                    "preview": imports.preview(entries, format),
                    "token": run.pk,
                    "label": data["label"],
                    "themes": data["themes"],
                    "stance": Source.Stance(data["stance"]).label,
                }
                return render(request, "sources/import_preview.html", context)
    status = 400 if form.errors else 200
    runs = ImportRun.objects.filter(moderator=request.user).exclude(
        status=ImportRun.Status.PREVIEWED
    )[:5]
    limits = {"entries": imports.IN_REQUEST_ENTRIES, "kilobytes": imports.IN_REQUEST_BYTES // 1024}
    context = {"form": form, "runs": runs, "limits": limits}
    return render(request, "sources/import.html", context, status=status)


def _confirm_import(request):
    token = request.POST.get("token", "")
    run = ImportRun.objects.filter(
        pk=int(token) if token.isdigit() else None,
        moderator=request.user,
        status=ImportRun.Status.PREVIEWED,
    ).first()
    if run is None:
        messages.error(
            request, "That preview is no longer current: upload the list again to import it."
        )
        return redirect("sources:import")
    try:
        result = imports.import_previewed(run=run)
    except imports.ImportRefused as error:
        messages.error(request, str(error))
        return redirect("sources:import")
    checked = result.preview
    messages.success(
        request,
        f"Imported {len(result.created)} of {checked.total} entries from {run.label} as "
        f"proposals; {len(checked.duplicates)} duplicate{pluralize(len(checked.duplicates))} "
        f"and {len(checked.malformed)} malformed entr{pluralize(len(checked.malformed), 'y,ies')} "
        "skipped.",
    )
    return redirect("sources:moderation")


@moderator_required
def import_run(request, pk):
    """How far the import of a long list has gone; once done, what was imported and skipped."""
    run = get_object_or_404(
        ImportRun.objects.exclude(status=ImportRun.Status.PREVIEWED).defer("text"),
        pk=pk,
        moderator=request.user,
    )
    return render(request, "sources/import_run.html", {"run": run})
