"""Following themes and sources, and the member's "Following" page."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from sources.access import member_required
from sources.library import following
from sources.models import Follow, Source, Theme


@require_POST
@member_required
def follow_source(request, slug):
    source = get_object_or_404(Source.objects.approved(), slug=slug)
    wanted = request.POST.get("follow", "1") != "0"
    following.set_follow(member=request.user, source=source, follow=wanted)
    messages.success(
        request,
        f"You follow “{source.title}”: its news will reach you in your weekly digest."
        if wanted
        else f"You no longer follow “{source.title}”.",
    )
    return redirect(_back(request, source.get_absolute_url()))


@require_POST
@member_required
def follow_theme(request, slug):
    theme = get_object_or_404(Theme, slug=slug)
    wanted = request.POST.get("follow", "1") != "0"
    following.set_follow(member=request.user, theme=theme, follow=wanted)
    messages.success(
        request,
        f"You follow “{theme.title}”: sources added to it will reach you in your weekly digest."
        if wanted
        else f"You no longer follow “{theme.title}”.",
    )
    return redirect(_back(request, theme.get_absolute_url()))


def _back(request, default):
    """Back to the "Following" page when the button was there, else to the page followed."""
    return "sources:following" if request.POST.get("next") == "following" else default


@member_required
def following_page(request):
    follows = Follow.objects.filter(member=request.user).select_related("theme", "source")
    news = following.news_for(request.user, timezone.now() - following.PAGE_WINDOW)[:50]
    return render(
        request,
        "sources/following.html",
        {"follows": list(follows), "news": list(news), "window_days": following.PAGE_WINDOW.days},
    )
