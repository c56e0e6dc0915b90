from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import SitePage, User


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
