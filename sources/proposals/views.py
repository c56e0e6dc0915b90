"""Members' pages: propose, edit, withdraw and endorse sources; open proposals; my proposals."""

from django.contrib import messages
from django.db.models import Prefetch
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from qlibrary.cache import fragment, private_page
from sources.access import member_required
from sources.evidence import lookup
from sources.library import page_keys
from sources.library.filters import ProposalFilters
from sources.models import ModerationEvent, Sort, Source, Theme
from sources.pagination import paginate
from sources.permissions import SourcePermissions
from sources.proposals import moderation
from sources.proposals.endorsements import EndorsementError, set_endorsement
from sources.proposals.forms import LookupForm, SourceForm


def wants_fill_in(data):
    """Whether a POST of the proposal form asks to fill it in from an identifier: the "Fill in"
    button, or Enter pressed in the identifier box (which submits the form's default button,
    "Send") before anything is filled."""
    if "fill" in data:
        return True
    return bool(data.get("identifier", "").strip()) and not data.get("title", "").strip()


def own_words_in(data):
    """The member's own words that a look-up must not replace."""
    return {"summary"} if data.get("summary", "").strip() else set()


@member_required
def propose(request):
    if request.method == "POST" and wants_fill_in(request.POST):
        return fill_in(request)
    # /sources/propose/?theme=<slug>&stance=<stance> (a theme page's link, or a gap on the
    # evidence map) opens with that theme and stance chosen.
    initial = {}
    if theme_slug := request.GET.get("theme"):
        initial["themes"] = list(Theme.objects.filter(slug=theme_slug))
    if request.GET.get("stance") in Source.Stance.values:
        initial["stance"] = request.GET["stance"]
    form = SourceForm(request.POST or None, initial=initial)
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
    context = {
        "form": form,
        "lookup_form": LookupForm(),
        "left_today": moderation.proposals_left_today(request.user),
    }
    return render(request, "sources/propose.html", context, status=status)


def fill_in(request):
    """The proposal form again, with what the identifier's record says filled in (nothing is
    saved); on failure, the form exactly as it was, with the reason."""
    outcome = lookup.fill_in(
        member=request.user,
        text=request.POST.get("identifier", ""),
        keep=own_words_in(request.POST),
    )
    values = {
        name: request.POST.getlist(name) if name == "themes" else request.POST.get(name)
        for name in SourceForm.base_fields
        if name in request.POST
    }
    values.update(outcome.fields)
    identifier = "" if outcome.ok else request.POST.get("identifier", "")
    placed = {} if outcome.ok else placed_identifier(identifier, values)
    values.update(placed)
    context = {
        "form": SourceForm(initial=values),
        "lookup_form": LookupForm(initial={"identifier": identifier}),
        "lookup": outcome,
        "placed": placed_message(placed),
        "left_today": moderation.proposals_left_today(request.user),
    }
    status = 429 if outcome.rate_limited else 200
    return render(request, "sources/propose.html", context, status=status)


@never_cache
@require_GET
@member_required
def propose_lookup(request):
    """The same look-up as "Fill in", as JSON for the form's script to fill in place."""
    outcome = lookup.fill_in(
        member=request.user,
        text=request.GET.get("identifier", ""),
        keep=own_words_in(request.GET),
    )
    answer = outcome.as_json()
    if not outcome.ok:
        # The script puts it only into an empty field, as the form does.
        placed = placed_identifier(request.GET.get("identifier", ""), {})
        answer["placed"] = placed
        answer["placed_message"] = placed_message(placed)
    return JsonResponse(answer, status=429 if outcome.rate_limited else 200)


def placed_identifier(text, values):
    """Where a pasted identifier goes in the proposal form when it could not be looked up: its
    own field (DOI, web address, PMID or ISBN) if that is still empty in `values`, so that the
    member need not type it again."""
    try:
        identifier = lookup.identify(text)
    except lookup.LookupFailed:
        return {}
    name = identifier.kind
    if name not in SourceForm.base_fields or str(values.get(name) or "").strip():
        return {}
    return {name: identifier.value}


def placed_message(placed):
    """What the member is told about an identifier put into its field, or ""."""
    for name in placed:
        label = SourceForm.base_fields[name].label or name
        return f"It is now in the “{label}” field below: fill in the rest by hand."
    return ""


@member_required
def edit(request, slug):
    source = get_object_or_404(Source.objects.visible_to(request.user), slug=slug)
    refusal = SourcePermissions(source, request.user).edit_refusal
    if refusal:
        messages.error(request, refusal)
        return redirect(source)
    form = SourceForm(request.POST or None, instance=source)
    status = 200
    if request.method == "POST" and form.is_valid():
        resubmit = "resubmit" in request.POST and source.is_sent_back
        try:
            moderation.edit(
                source=source,
                editor=request.user,
                fields=form.source_fields(),
                themes=form.cleaned_data["themes"],
                tags=form.cleaned_data["tags"],
                resubmit=resubmit,
            )
        except (moderation.TransitionError, moderation.DuplicateSource) as error:
            messages.error(request, str(error))
            status = 409
        else:
            messages.success(
                request,
                "Your changes are saved and the proposal is back in the queue."
                if resubmit
                else "Your changes are saved."
                if not source.is_sent_back
                else "Your changes are saved. The proposal stays with you until you resubmit it.",
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
    refusal = SourcePermissions(source, request.user).withdraw_refusal
    if refusal:
        messages.error(request, refusal)
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
    # The newest change to any source, and the cache generation (a theme edited starts a new
    # one): the key of the themes offered and of the number of proposals, and of the cards.
    request.page_key = page_keys.library()
    themes = fragment("themes", request.page_key[:1], lambda: list(Theme.objects.all()))
    filters = ProposalFilters(request.GET, themes=themes)
    theme, stance, sort = filters.chosen_theme, filters.chosen_stance, filters.chosen_sort
    proposals = Source.objects.open_proposals()
    if theme:
        proposals = proposals.in_theme(theme)
    proposals = proposals.filter_by(stance=stance)
    count = fragment(
        "open-proposals-count",
        (theme.slug if theme else "", stance, *request.page_key),
        proposals.count,
    )
    ordering = ["-endorsement_count", "-created_at"] if sort == Sort.ENDORSED else ["-created_at"]
    page = paginate(request, proposals.for_cards().order_by(*ordering, "-pk"), count=count)
    context = {
        "page": page,
        "themes": themes,
        "theme": theme,
        "stance": stance,
        "stances": Source.Stance.choices,
        "sort": sort,
        "sorts": ProposalFilters.SORTS,
    }
    return render(request, "sources/proposal_list.html", context)


@member_required
@private_page
def my_proposals(request):
    """The member's proposals, each with its history: submitted, sent back (and why),
    resubmitted, decided."""
    history = ModerationEvent.objects.select_related("actor").order_by("created_at", "pk")
    proposals = (
        Source.objects.filter(proposer=request.user)
        .select_related("decided_by")
        .prefetch_related("themes", Prefetch("events", queryset=history, to_attr="history"))
        .order_by("-created_at", "-pk")
    )
    page = paginate(request, proposals)
    for source in page.object_list:
        source.permissions = SourcePermissions(source, request.user)
    return render(request, "sources/my_proposals.html", {"page": page})
