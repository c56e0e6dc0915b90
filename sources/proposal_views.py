"""Members' pages: propose, edit, withdraw and endorse sources; open proposals; my proposals."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from . import moderation
from .access import member_required
from .endorsements import EndorsementError, set_endorsement
from .filters import ProposalFilters
from .forms import SourceForm
from .models import Source, Theme
from .page_cache import private_page


@member_required
def propose(request):
    form = SourceForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            source = moderation.submit(
                source=form.save(commit=False),
                proposer=request.user,
                themes=form.cleaned_data["themes"],
                tags=form.cleaned_data["tags"],
            )
        except moderation.ProposalLimitReached as limit:
            messages.error(request, str(limit))
            status = 429
        except moderation.DuplicateSource as duplicate:
            # Another member's proposal took the URL or DOI after the form's own check passed.
            form.add_error(None, str(duplicate))
            status = 409
        else:
            messages.success(
                request,
                "Thank you: your proposal is in the queue. Members can now discuss and endorse "
                "it, and a moderator will decide on it.",
            )
            return redirect(source)
    elif request.method == "POST":
        status = 400
    context = {"form": form, "left_today": moderation.proposals_left_today(request.user)}
    return render(request, "sources/propose.html", context, status=status)


@member_required
def edit(request, slug):
    source = get_object_or_404(Source.objects.visible_to(request.user), slug=slug)
    if moderation.edit_refusal(source, request.user):
        messages.error(request, "Only the proposer can edit a proposal, and only while it is open.")
        return redirect(source)
    form = SourceForm(request.POST or None, instance=source)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            moderation.edit(
                source=source,
                editor=request.user,
                fields=form.source_fields(),
                themes=form.cleaned_data["themes"],
                tags=form.cleaned_data["tags"],
                resubmit="resubmit" in request.POST,
            )
        except (moderation.TransitionError, moderation.DuplicateSource) as error:
            messages.error(request, str(error))
            status = 409
        else:
            resubmitted = "resubmit" in request.POST and source.status == "changes_requested"
            messages.success(
                request,
                "Your changes are saved and the proposal is back in the queue."
                if resubmitted
                else "Your changes are saved.",
            )
            return redirect(source)
    elif request.method == "POST":
        status = 400
    return render(request, "sources/edit.html", {"form": form, "source": source}, status=status)


@member_required
def withdraw(request, slug):
    source = get_object_or_404(Source.objects.visible_to(request.user), slug=slug)
    if request.method == "POST":
        try:
            moderation.withdraw(source=source, member=request.user)
        except moderation.TransitionError as error:
            messages.error(request, str(error))
            return redirect(source)
        messages.success(request, f"You withdrew “{source.title}”.")
        return redirect("sources:my_proposals")
    if source.proposer_id != request.user.pk or not source.is_open:
        messages.error(
            request, "Only the proposer can withdraw a proposal, and only while it is open."
        )
        return redirect(source)
    return render(request, "sources/withdraw.html", {"source": source})


@require_POST
@member_required
def endorse(request, slug):
    source = get_object_or_404(Source.objects.visible_to(request.user), slug=slug)
    wanted = request.POST.get("endorse", "1") != "0"
    wants_json = request.headers.get("Accept", "").startswith("application/json")
    try:
        source = set_endorsement(source=source, member=request.user, endorse=wanted)
    except EndorsementError as error:
        if wants_json:
            return JsonResponse({"error": str(error)}, status=403)
        messages.error(request, str(error))
        return redirect(source)
    message = "Thank you for endorsing this source." if wanted else "Your endorsement is withdrawn."
    if wants_json:
        return JsonResponse(
            {
                "endorsed": wanted,
                "count": source.endorsement_count,
                "breakdown": source.perspective_breakdown(),
                "message": message,
            }
        )
    messages.success(request, message)
    return redirect(source)


@member_required
@private_page
def proposal_list(request):
    proposals = Source.objects.open_proposals()
    themes = list(Theme.objects.all())
    filters = ProposalFilters(request.GET, themes=themes)
    theme, sort = filters.chosen_theme, filters.chosen_sort
    if theme:
        proposals = proposals.in_theme(theme)
    ordering = ["-endorsement_count", "-created_at"] if sort == "endorsed" else ["-created_at"]
    page = Paginator(
        proposals.for_listing().order_by(*ordering, "-pk"), settings.LIBRARY_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "themes": themes,
        "theme": theme,
        "sort": sort,
        "sorts": ProposalFilters.SORTS,
    }
    return render(request, "sources/proposal_list.html", context)


@member_required
@private_page
def my_proposals(request):
    proposals = (
        Source.objects.filter(proposer=request.user)
        .select_related("decided_by")
        .prefetch_related("themes")
        .order_by("-created_at", "-pk")
    )
    page = Paginator(proposals, settings.LIBRARY_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "sources/my_proposals.html", {"page": page})
