from django.conf import settings

from sources.access import is_member, is_moderator


def roles(request):
    """What the navigation offers depends on whether the visitor is a member or a moderator."""
    user = request.user
    return {"is_member": is_member(user), "is_moderator": is_moderator(user)}


def site(request):
    """The public address, for links meant to be copied elsewhere (feed addresses), and the
    page's own address there (its canonical URL: the path, and the page number of a listing)."""
    site_url = settings.SITE_URL.rstrip("/")
    canonical_url = site_url + request.path
    page = request.GET.get("page", "")
    if page.isdigit() and int(page) > 1:
        canonical_url += f"?page={int(page)}"
    return {"site_url": site_url, "canonical_url": canonical_url}
