from django.contrib import admin

from .models import Comment, Flag


class FlagInline(admin.TabularInline):
    model = Flag
    extra = 0
    autocomplete_fields = ["member"]


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["pk", "author", "theme", "source", "status", "created_at"]
    list_filter = ["status"]
    list_select_related = ["author", "theme", "source"]
    search_fields = ["body", "author__username"]
    autocomplete_fields = ["author", "theme", "source", "parent"]
    readonly_fields = ["body_html", "created_at", "edited_at"]
    inlines = [FlagInline]
