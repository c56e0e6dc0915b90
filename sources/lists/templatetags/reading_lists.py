"""Reading lists shown on other apps' pages: a theme's featured lists ("Start here") and a
member's public lists on their profile, each one query."""

from django import template

from ..models import ReadingList

register = template.Library()


@register.inclusion_tag("lists/start_here.html")
def featured_lists(theme):
    lists = (
        ReadingList.objects.public()
        .filter(features__theme=theme)
        .select_related("owner")
        .order_by("-features__created_at")
    )
    return {"lists": list(lists), "theme": theme}


@register.inclusion_tag("lists/profile_lists.html")
def public_lists_of(member):
    lists = ReadingList.objects.public().filter(owner=member).select_related("owner").newest()
    return {"lists": list(lists), "member": member}
