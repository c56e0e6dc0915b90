from django.contrib import admin

from qlibrary.markdown import render

from .models import Comment, Flag


class FlagInline(admin.TabularInline):
    """Flags as members sent them: a flag added here would skip the holds and their limits."""

    model = Flag
    extra = 0
    fields = ["member", "reason", "note", "created_at", "dismissed_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["pk", "author", "theme", "source", "status", "created_at"]
    list_filter = ["status"]
    list_select_related = ["author", "theme", "source"]
    search_fields = ["body", "author__username"]
    autocomplete_fields = ["author", "theme", "source", "parent"]
    # Hiding and restoring go through the flagged-comments tab (comments/flags.py), which keeps
    # the discussion's count and writes the public log; where a comment sits stays put.
    readonly_fields = ["status", "moderation_reason", "body_html", "created_at", "edited_at"]
    inlines = [FlagInline]

    def has_add_permission(self, request):
        return False  # Comments are posted in their discussion, which counts them.

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if obj is not None:
            fields = [*fields, "author", "theme", "source", "parent"]
        return fields

    def save_model(self, request, obj, form, change):
        # An admin may redact a comment's text: what readers see is rendered from it.
        obj.body_html = render(obj.body)
        super().save_model(request, obj, form, change)
