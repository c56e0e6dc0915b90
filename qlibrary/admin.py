from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import User


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
