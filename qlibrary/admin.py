from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from .models import SitePage, User


def admin_login(request, extra_context=None):
    """The admin has no password form of its own: staff sign in through the site's log-in, so
    its rate limits (allauth's) and its single, constant-cost password check apply here too."""
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("admin:index")
    if not request.user.is_authenticated:
        return redirect_to_login(next_url)
    if admin.site.has_permission(request):
        return redirect(next_url)
    # Signed in without admin rights: sending them to log in again would loop.
    messages.error(request, "Your account does not have access to the administration pages.")
    return redirect("home")


admin.site.login = admin_login


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "email", "display_name", "perspective", "is_staff", "is_active"]
    list_filter = [*BaseUserAdmin.list_filter, "perspective"]
    search_fields = ["username", "email", "display_name", "organisation"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        ("Profile", {"fields": ["display_name", "organisation", "bio", "perspective"]}),
        (
            "Notifications",
            {"fields": ["notify_replies", "notify_source_comments", "notify_new_proposals"]},
        ),
    ]


@admin.register(SitePage)
class SitePageAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "updated_at"]
    readonly_fields = ["slug", "updated_at"]
    fields = ["slug", "title", "lead", "body", "updated_at"]

    def has_add_permission(self, request):
        # The site links to exactly these pages; a data migration creates them.
        return False

    def has_delete_permission(self, request, obj=None):
        return False
