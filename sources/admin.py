from django.contrib import admin
from django.db import models
from django.urls import reverse
from django.utils.html import format_html

from sources.models import Endorsement, LinkHealth, ModerationEvent, Notice, Source, Theme


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "display_order"]
    list_editable = ["display_order"]
    search_fields = ["title", "summary"]
    prepopulated_fields = {"slug": ["title"]}


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "status", "stance", "year", "endorsement_count", "created_at"]
    list_filter = ["status", "kind", "stance", "imported", "themes"]
    list_select_related = ["proposer"]
    search_fields = ["title", "authors", "organisation", "url", "doi"]
    autocomplete_fields = ["themes", "proposer"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # as the proposal form
    prepopulated_fields = {"slug": ["title"]}
    # Status and decisions change only through the lifecycle (sources/proposals/moderation.py),
    # which records the event, dates the approval and tells the proposer: on the review page.
    readonly_fields = [
        "status",
        "review_page",
        "decided_by",
        "decided_at",
        "decision_reason",
        "approved_at",
        "url_key",
        "doi_key",
        "endorsement_count",
        "comment_count",
        "created_at",
    ]
    date_hierarchy = "created_at"

    @admin.display(description="decisions")
    def review_page(self, source):
        if source.pk is None:
            return "Decisions are made on the source's review page once it is saved."
        return format_html(
            '<a href="{}">Approve, decline, ask for changes or retire on the review page</a>',
            reverse("sources:review", args=[source.slug]),
        )

    def save_model(self, request, obj, form, change):
        obj.assign_keys()
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        Source.objects.filter(pk=form.instance.pk).refresh_search_vectors()


@admin.register(Endorsement)
class EndorsementAdmin(admin.ModelAdmin):
    list_display = ["source", "member", "created_at"]
    autocomplete_fields = ["source", "member"]
    search_fields = ["source__title", "member__username"]


@admin.register(ModerationEvent)
class ModerationEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "action", "source", "reading_list_title", "actor"]
    list_filter = ["action"]
    list_select_related = ["source", "actor"]
    search_fields = ["source__title", "reading_list_title", "reason"]
    autocomplete_fields = ["source", "actor"]
    raw_id_fields = ["reading_list"]


@admin.register(LinkHealth)
class LinkHealthAdmin(admin.ModelAdmin):
    """What the link checks found; written by `check_links` only (see /moderation/links/)."""

    list_display = ["source", "outcome", "error", "failures", "broken", "checked_at"]
    list_filter = ["outcome", "broken"]
    list_select_related = ["source"]
    search_fields = ["source__title", "checked_url"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    """Retractions, concerns and corrections found by `check_retractions`."""

    list_display = ["source", "kind", "notice_doi", "reported_by", "published", "found_at"]
    list_filter = ["kind", "reported_by"]
    list_select_related = ["source"]
    search_fields = ["source__title", "notice_doi"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
