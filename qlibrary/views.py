from email.utils import parseaddr

from csp.exceptions import CSPNonceError
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, logout
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from sources.access import is_moderator, member_required
from sources.library import page_keys
from sources.library.cards import cards
from sources.models import Sort, Source, Theme

from . import member_data
from .cache import cached_page, fragment
from .forms import CloseAccountForm, ProfileForm
from .models import SitePage

RECENT_COUNT = 6


@cached_page(page_key=page_keys.home)
def home(request):
    themes = fragment(
        "themes-with-counts",
        page_keys.themes(request.page_key),
        lambda: list(Theme.objects.with_source_counts()),
    )
    approved = Source.objects.approved().for_cards()
    common = request.page_key[:1]
    recent = cards(approved.sorted_by(Sort.NEWEST)[:RECENT_COUNT], common=common)
    most_endorsed = cards(
        approved.filter(endorsement_count__gt=0).sorted_by(Sort.ENDORSED)[:RECENT_COUNT],
        common=common,
    )
    return render(
        request,
        "qlibrary/home.html",
        {"themes": themes, "recent": recent, "most_endorsed": most_endorsed},
    )


@cached_page(page_key=page_keys.member)
def profile(request, username):
    member = get_object_or_404(get_user_model(), username=username, is_active=True)
    contributions = (
        Source.objects.approved().filter(proposer=member).for_cards().sorted_by("newest")
    )
    return render(
        request, "qlibrary/profile.html", {"member": member, "contributions": contributions}
    )


@member_required
def edit_profile(request):
    form = ProfileForm(
        request.POST or None, instance=request.user, is_moderator=is_moderator(request.user)
    )
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, "Your profile is saved.")
            return redirect(request.user)
        return render(request, "qlibrary/profile_edit.html", {"form": form}, status=400)
    return render(request, "qlibrary/profile_edit.html", {"form": form})


def site_page_key(slug):
    """The generation (a page shows no name but its own) and the page's own row."""
    return page_keys.query(
        "SELECT {common}, p.updated_at FROM {{site_page}} p WHERE p.slug = %s",
        [slug],
        site_page=SitePage._meta.db_table,
    )


@cached_page(page_key=site_page_key)
def site_page(request, slug):
    page = get_object_or_404(SitePage, slug=slug)
    context = {"page": page}
    if slug == SitePage.Slug.CONTACT:
        context["contact_email"] = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return render(request, "qlibrary/site_page.html", context)


@never_cache
@login_required
def download_my_data(request):
    """Everything the library holds about the member, as a JSON file."""
    data = member_data.export(request.user, site_url=settings.SITE_URL)
    response = JsonResponse(data, json_dumps_params={"indent": 2, "ensure_ascii": False})
    filename = f"q-library-{request.user.username}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@never_cache
@login_required
def delete_account(request):
    form = CloseAccountForm(request.POST or None, member=request.user)
    if request.method == "POST":
        if form.is_valid():
            member_data.close_account(
                member=request.user, remove_comments=form.cleaned_data["remove_comments"]
            )
            logout(request)
            messages.success(
                request,
                "Your account is deleted. Thank you for what you added to the library.",
            )
            return redirect("home")
        return render(request, "qlibrary/delete_account.html", {"form": form}, status=400)
    return render(request, "qlibrary/delete_account.html", {"form": form})


@never_cache
def ping(request):
    """The process answers; no database. Also the benchmark's baseline: Django at its cheapest."""
    return HttpResponse("ok", content_type="text/plain")


@never_cache
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "not answering"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


# Crawlers may read what readers can, except members' own pages and profiles (a member's name is
# not for search engines), forms, and the records again in other shapes (every listing's exports,
# feeds, the API: the open data has them whole).
ROBOTS_DISALLOW = [
    "/accounts/",
    "/admin/",
    "/me/",
    "/members/",
    "/moderation/",
    "/proposals/",
    "/sources/propose/",
    "/basket/",
    "/api/",
    "/*/export/",
    "/*/feed/",
]


def robots_txt(request):
    # The public log, the API's documentation and the sign-up page (how to join) are for all.
    allowed = ["/moderation/log/", "/api/docs", "/accounts/signup/"]
    lines = ["User-agent: *", *(f"Allow: {path}" for path in allowed)]
    lines += [f"Disallow: {path}" for path in ROBOTS_DISALLOW]
    lines += ["", f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


def page_not_found(request, exception):
    return render(request, "404.html", status=404)


def server_error(request):
    # Rendered without a request context: the failure may lie in the database or a middleware.
    # The nonce lets the page's inline style through the CSP. There is none when the failure
    # came outside the CSP middleware, which then sends no policy with this page at all.
    try:
        nonce = str(request.csp_nonce)
    except (AttributeError, CSPNonceError):
        nonce = ""
    return render(None, "500.html", {"csp_nonce": nonce}, status=500)
