"""The reader's selection at /basket/: add and remove from any card, its bibliography, its files.

Source cards and pages are the same for every reader (cached whole in the page cache), so they
cannot carry a form token: their "Add to my selection" button asks for /basket/add/ (GET), which
answers with the POST form, and static/js/selection.js posts it in place instead.
"""

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST

from qlibrary.cache import fragment
from sources.access import is_member
from sources.library import page_keys
from sources.library.cards import address
from sources.lists import bibliography, selection
from sources.lists.exports import ALL_FORMATS, DOCUMENTS, export_response, export_urls
from sources.models import Source


def _private(response, request):
    patch_cache_control(response, private=True, no_cache=True)
    response.set_cookie(
        selection.COUNT_COOKIE,
        str(selection.count(request.session)),
        max_age=60 * 60 * 24 * 14,
        samesite="Lax",
        secure=request.is_secure(),
    )
    return response


def _wants_json(request):
    return "application/json" in request.headers.get("Accept", "")


def _next(request, fallback):
    """Where to go back to: a path on this site given by the form, else `fallback`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _referer_path(request):
    """The page the button was on, as a path on this site (else nothing)."""
    referer = request.headers.get("Referer", "")
    host = request.get_host()
    for scheme in ("https://", "http://"):
        if referer.startswith(f"{scheme}{host}/"):
            return referer[len(scheme) + len(host) :]
    return ""


def _library_source(value):
    return get_object_or_404(Source.objects.approved(), slug=str(value or "")[:120])


def basket(request):
    style = bibliography.style_from(request.GET.get("style"))
    ids = selection.selected_ids(request.session)

    def render_selection():
        sources = selection.sources(request.session)
        for source in sources:
            source.page_url = address("sources:detail", source.slug)
        context = {
            "sources": sources,
            "entries": bibliography.entries(sources, style),
            "style": style,
            "styles": bibliography.style_choices(),
            "numbered": bibliography.is_numbered(style),
            "export_urls": export_urls("lists:basket_export", style=style),
        }
        return (
            len(sources),
            str(render_to_string("lists/selection_sources.html", context)),
            str(render_to_string("lists/bibliography.html", context)),
        )

    # The list and its bibliography are the same for every selection of these sources as they
    # are now: a fragment keyed by the ids, and by how many of them are in the library and their
    # newest change (a retraction or a broken link touches its source).
    count, listed, cited = fragment(
        "selection", (style, *ids, *page_keys.selection(ids)), render_selection
    )
    context = {
        "count": count,
        "listed": mark_safe(listed),  # noqa: S308 (our templates)
        "bibliography": mark_safe(cited),  # noqa: S308
        "limit": selection.LIMIT,
        "can_save": is_member(request.user),
        "remove_url": reverse("lists:basket_remove"),
        "next_path": request.get_full_path(),
    }
    return _private(render(request, "lists/basket.html", context), request)


def add(request):
    """GET: the form to add a source (from a card without a token); POST: add it."""
    source = _library_source(request.POST.get("source") or request.GET.get("source"))
    if request.method != "POST":
        context = {
            "source": source,
            "selected": source.pk in selection.selected_ids(request.session),
            "next": _referer_path(request) or source.get_absolute_url(),
        }
        return _private(render(request, "lists/basket_add.html", context), request)
    try:
        count = selection.add(request.session, source)
    except selection.SelectionFull as full:
        if _wants_json(request):
            return _private(JsonResponse({"error": str(full)}, status=409), request)
        messages.error(request, str(full))
        return _private(redirect(_next(request, "lists:basket")), request)
    if _wants_json(request):
        return _private(JsonResponse({"count": count, "selected": True}), request)
    messages.success(request, f"Added “{source.title}” to your selection ({count} selected).")
    return _private(redirect(_next(request, source.get_absolute_url())), request)


@require_POST
def remove(request):
    source = _library_source(request.POST.get("source"))
    count = selection.remove(request.session, source)
    if _wants_json(request):
        return _private(JsonResponse({"count": count, "selected": False}), request)
    messages.success(request, f"Removed “{source.title}” from your selection.")
    return _private(redirect(_next(request, "lists:basket")), request)


@require_POST
def clear(request):
    selection.clear(request.session)
    messages.success(request, "Your selection is empty.")
    return _private(redirect("lists:basket"), request)


@require_GET
def state(request):
    """What the script needs to show each button's state: the selected slugs, and a token."""
    sources = Source.objects.approved().filter(pk__in=selection.selected_ids(request.session))
    data = {
        "count": selection.count(request.session),
        "sources": list(sources.values_list("slug", flat=True)),
        "csrf": get_token(request),
    }
    return _private(JsonResponse(data), request)


def export(request, format):
    if format not in ALL_FORMATS:
        raise Http404("No such format.")
    style = bibliography.style_from(request.GET.get("style"))
    sources = selection.sources(request.session, tags=format not in DOCUMENTS)
    response = export_response(
        format, sources, name="my-selection", title="My selection", style=style
    )
    return _private(response, request)
