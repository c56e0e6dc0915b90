"""Reading lists shown on other pages: a member's public lists on their profile, and on their
"Following" page the lists they follow and what they were told about their own lists' sources.
(A theme's featured lists, "Start here", come with its row: sources/lists/featured.py.)"""

from django import template
from django.utils import timezone

from sources.lists.alerts import PAGE_WINDOW, recent_for
from sources.lists.digest import list_changes_for
from sources.lists.models import ReadingList

register = template.Library()


@register.inclusion_tag("lists/profile_lists.html")
def public_lists_of(member):
    lists = ReadingList.objects.public().filter(owner=member).select_related("owner").newest()
    return {"lists": list(lists), "member": member}


@register.inclusion_tag("lists/following_news.html")
def lists_news_for(member):
    """On the member's "Following" page: the public lists they follow, and what they were told
    about the sources in their own lists (sources/lists/alerts.py)."""
    now = timezone.now()
    followed = ReadingList.objects.filter(follows__member=member).select_related("owner")
    return {
        "followed": list(followed.order_by("title")),
        "alerts": list(recent_for(member, now)),
        "changes": list(list_changes_for(member, now - PAGE_WINDOW, now)[:50]),
        "window_days": PAGE_WINDOW.days,
    }
