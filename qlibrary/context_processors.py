from django.conf import settings

from sources.access import is_member, is_moderator


def roles(request):
    """What the navigation offers depends on whether the visitor is a member or a moderator."""
    user = request.user
    return {"is_member": is_member(user), "is_moderator": is_moderator(user)}


def site(request):
    """The public address, for links meant to be copied elsewhere (feed addresses)."""
    return {"site_url": settings.SITE_URL.rstrip("/")}
