"""Reading lists' pages: the public lists, one list with its bibliography and files, and the
owner's pages to change it (every form works without JavaScript)."""

from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from qlibrary.cache import fragment
from sources.access import is_member, is_moderator, member_required, moderator_required
from sources.checks.link_health import broken_link
from sources.library import page_keys
from sources.library.cards import address
from sources.lists import bibliography, selection, services
from sources.lists.exports import ALL_FORMATS, DOCUMENTS, export_response, export_urls
from sources.lists.forms import (
    AddSourceForm,
    FeatureForm,
    HideForm,
    ListForm,
    NoteForm,
    RestoreForm,
)
from sources.lists.models import ListFollow, ListItem, ReadingList
from sources.lists.services import ListRefused
from sources.models import Notice, Source, TaggedSource, Theme

INDEX_SIZE = 20


def _private(response):
    patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, ["Cookie"])
    return response


def viewable_list(request, slug):
    """The list at `slug` if this person may read it, else 404: public lists for all, a list
    shared by link with its key, every list for its owner, hidden ones for moderators."""
    reading_list = get_object_or_404(ReadingList.objects.select_related("owner"), slug=slug)
    return readable(request, reading_list)


def readable(request, reading_list):
    """`reading_list` if this person may read it, else 404 (`viewable_list`)."""
    user = request.user
    if user.is_authenticated and reading_list.owner_id == user.pk:
        return reading_list
    if reading_list.is_hidden:
        if is_moderator(user):
            return reading_list
        raise Http404("No list here.")
    if reading_list.visibility == ReadingList.Visibility.PUBLIC:
        return reading_list
    if (
        reading_list.visibility == ReadingList.Visibility.LINK
        and request.GET.get("key") == reading_list.share_key
    ):
        return reading_list
    raise Http404("No list here.")


def own_list(request, slug):
    return get_object_or_404(ReadingList, slug=slug, owner=request.user)


def shown_items(reading_list, viewer, *, tags=False):
    """The list's items as `viewer` sees them, with their sources' records (with `tags`, what
    their files' records read too): a source that left the library stays as a note; an open
    proposal shows to the owner alone."""
    prefetches = [
        Prefetch("source__notices", queryset=Notice.objects.order_by("published", "pk")),
        # Only what a banner names of a successor (its page, its title).
        Prefetch("source__superseded_by", queryset=Source.objects.only("pk", "slug", "title")),
    ]
    if tags:
        prefetches.append(
            Prefetch(
                "source__taggedsource_set",
                queryset=TaggedSource.objects.select_related("tag").order_by("tag__name"),
                to_attr="_listed_tag_links",
            )
        )
    items = list(
        reading_list.items.select_related("source__link_health").prefetch_related(*prefetches)
    )
    is_owner = viewer.is_authenticated and viewer.pk == reading_list.owner_id
    shown = []
    for item in items:
        source = item.source
        # Formatted, not reversed 200 times (sources/library/cards.py).
        item.url = address("sources:detail", source.slug) if source is not None else ""
        item.in_library = source is not None and source.status == Source.Status.APPROVED
        item.is_own_proposal = source is not None and source.is_open
        item.broken_link = broken_link(source) if source is not None else None
        item.has_banner = source is not None and bool(
            source.alert
            or source.superseded_by_id
            or item.broken_link
            or (source.doi and source.notices.all())
        )
        if item.is_own_proposal and not is_owner:
            continue
        shown.append(item)
    return shown


def cited_sources(items):
    return [item.source for item in items if item.in_library or item.is_own_proposal]


def index(request):
    public = ReadingList.objects.public().select_related("owner")
    context = {
        "newest": list(public.newest()[:INDEX_SIZE]),
        "most_followed": list(public.filter(follower_count__gt=0).most_followed()[:10]),
    }
    return render(request, "lists/index.html", context)


def detail(request, slug):
    # The list's row, read once per change of it under the page's key (its followers, its
    # owner's name and its visibility all touch it or start a new generation).
    page_key = page_keys.reading_list(slug)
    row = None
    if page_key is not None:
        row = fragment(
            "list-row",
            page_key,
            lambda: ReadingList.objects.select_related("owner").filter(slug=slug).first(),
        )
    if row is None:  # no such list, or it was deleted since its key was read
        raise Http404("No list here.")
    reading_list = readable(request, row)
    style = bibliography.style_from(request.GET.get("style"))
    user = request.user
    is_owner = user.is_authenticated and user.pk == reading_list.owner_id
    key = reading_list.share_key if reading_list.visibility == "link" else ""
    share_key = key if request.GET.get("key") else ""

    def body_context():
        items = shown_items(reading_list, user)
        return {
            "list": reading_list,
            "items": items,
            "entries": bibliography.entries(cited_sources(items), style),
            "style": style,
            "styles": bibliography.style_choices(),
            "numbered": bibliography.is_numbered(style),
            "export_urls": export_urls("lists:export", reading_list.slug, style=style, key=key),
            "share_key": share_key,
        }

    # The same for everyone but the owner (who also sees their own open proposals in it): a
    # fragment keyed by the list and its sources' rows.
    def render_body():
        context = body_context()
        html = render_to_string("lists/detail_body.html", context, request)
        return len(context["items"]), str(html)

    count, body = fragment(
        "list-body",
        (*page_key, style, share_key, is_owner),
        render_body,
    )
    context = {"list": reading_list, "count": count, "body": mark_safe(body)}  # noqa: S308
    context |= {
        "share_key": share_key,
        "is_owner": is_owner,
        "following": is_member(user)
        and ListFollow.objects.filter(member=user, reading_list=reading_list).exists(),
        "is_member": is_member(user),
        "moderating": is_moderator(user),
    }
    if context["moderating"]:
        context["hide_form"] = HideForm()
        context["restore_form"] = RestoreForm()
        context["feature_form"] = FeatureForm()
        context["featured_on"] = list(
            Theme.objects.filter(featured_lists__reading_list=reading_list)
        )
    response = render(request, "lists/detail.html", context)
    return response if reading_list.is_public else _private(response)


def export(request, slug, format):
    reading_list = viewable_list(request, slug)
    if format not in ALL_FORMATS:
        raise Http404("No such format.")
    items = shown_items(reading_list, request.user, tags=format not in DOCUMENTS)
    return export_response(
        format,
        cited_sources(items),
        name=reading_list.slug,
        title=reading_list.title,
        style=bibliography.style_from(request.GET.get("style")),
    )


@member_required
def mine(request):
    form = ListForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            reading_list = services.create_list(owner=request.user, **form.cleaned_data)
        except ListRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, f"Your list “{reading_list.title}” is ready: add sources.")
            return redirect("lists:edit", slug=reading_list.slug)
    lists = ReadingList.objects.filter(owner=request.user).order_by("-updated_at", "-pk")
    return _private(render(request, "lists/mine.html", {"lists": list(lists), "form": form}))


@require_POST
@member_required
def save_selection(request):
    sources = selection.sources(request.session)
    if not sources:
        messages.error(request, "Your selection is empty: there is nothing to save.")
        return redirect("lists:basket")
    try:
        reading_list = services.create_list(
            owner=request.user, title="My selection", sources=sources
        )
    except ListRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("lists:basket")
    messages.success(
        request, "Your selection is saved as a private reading list: name it, add notes, share it."
    )
    return redirect("lists:edit", slug=reading_list.slug)


@member_required
def edit(request, slug):
    reading_list = own_list(request, slug)
    form = ListForm(request.POST or None, instance=reading_list)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_list(reading_list=reading_list, **form.cleaned_data)
        except ListRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, "Saved.")
            return redirect("lists:edit", slug=reading_list.slug)
    items = shown_items(reading_list, request.user)
    for item in items:
        item.note_form = NoteForm(initial={"note": item.note}, prefix=f"item-{item.pk}")
    context = {"list": reading_list, "form": form, "items": items, "add_form": AddSourceForm()}
    return _private(render(request, "lists/edit.html", context))


@require_POST
@member_required
def add(request, slug):
    reading_list = own_list(request, slug)
    form = AddSourceForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["source"]))
        return redirect("lists:edit", slug=slug)
    source = form.cleaned_data["source"]
    try:
        services.add_source(reading_list=reading_list, source=source)
    except ListRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, f"Added “{source.title}”.")
    return redirect("lists:edit", slug=slug)


@require_POST
@member_required
def item_action(request, slug, pk, action):
    reading_list = own_list(request, slug)
    item = get_object_or_404(ListItem, pk=pk, reading_list=reading_list)
    if action == "remove":
        services.remove_item(item=item)
        messages.success(request, f"Removed “{item.source_title}”.")
    elif action == "note":
        form = NoteForm(request.POST, prefix=f"item-{item.pk}")
        if form.is_valid():
            services.set_note(item=item, note=form.cleaned_data["note"])
            messages.success(request, "Note saved.")
        else:
            messages.error(request, "A note holds at most 1000 characters. Nothing was changed.")
    elif action in ("up", "down"):
        services.move_item(item=item, direction=action)
    else:
        raise Http404("No such change.")
    return redirect(f"{reading_list.get_absolute_url()}edit/#item-{item.pk}")


@require_POST
@member_required
def delete(request, slug):
    reading_list = own_list(request, slug)
    services.delete_list(reading_list=reading_list)
    messages.success(request, f"The list “{reading_list.title}” is deleted.")
    return redirect("lists:mine")


@require_POST
@member_required
def copy(request, slug):
    reading_list = viewable_list(request, slug)
    try:
        new = services.copy_list(reading_list=reading_list, member=request.user)
    except ListRefused as refusal:
        messages.error(request, str(refusal))
        return redirect(reading_list.share_url)
    messages.success(request, "A private copy is yours to change.")
    return redirect("lists:edit", slug=new.slug)


@require_POST
@member_required
def follow(request, slug):
    reading_list = viewable_list(request, slug)
    if not reading_list.is_public:
        raise Http404("Only public lists can be followed.")
    wanted = request.POST.get("follow", "1") != "0"
    services.set_follow(member=request.user, reading_list=reading_list, follow=wanted)
    messages.success(
        request,
        f"You follow “{reading_list.title}”: its changes will reach you in your weekly digest."
        if wanted
        else f"You no longer follow “{reading_list.title}”.",
    )
    return redirect(reading_list.get_absolute_url())


@require_POST
@moderator_required
def hide(request, slug):
    reading_list = get_object_or_404(ReadingList, slug=slug)
    form = HideForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.hide_list(reading_list=reading_list, moderator=request.user, reason=reason)
    except ListRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, "The list is hidden; the log says why.")
    return redirect(reading_list.get_absolute_url())


@require_POST
@moderator_required
def restore(request, slug):
    reading_list = get_object_or_404(ReadingList, slug=slug)
    form = RestoreForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.restore_list(reading_list=reading_list, moderator=request.user, reason=reason)
    except ListRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, "The list is shown again; the log records it.")
    return redirect(reading_list.get_absolute_url())


@require_POST
@moderator_required
def feature(request, slug):
    reading_list = get_object_or_404(ReadingList, slug=slug)
    form = FeatureForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a theme.")
        return redirect(reading_list.get_absolute_url())
    wanted = request.POST.get("feature", "1") != "0"
    theme = form.cleaned_data["theme"]
    try:
        services.feature_list(
            reading_list=reading_list,
            theme=theme,
            moderator=request.user,
            feature=wanted,
            note=form.cleaned_data["note"],
        )
    except ListRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(
            request, f"Featured on “{theme.title}”." if wanted else f"No longer on “{theme.title}”."
        )
    return redirect(reading_list.get_absolute_url())
