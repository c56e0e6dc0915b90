from django.urls import path, register_converter

from sources.evidence import export_views
from sources.evidence.citations import FORMATS
from sources.library import following_views, views
from sources.opendata import data_views, map_views
from sources.proposals import moderation_views
from sources.proposals import views as proposal_views


class ExportFormatConverter:
    """The reference-manager formats; any other word in its place is a 404."""

    regex = "|".join(FORMATS)

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(ExportFormatConverter, "export_format")


class TagSlugConverter:
    """A tag's slug in any script (taggit keeps letters of every alphabet in its slugs)."""

    regex = r"[-\w]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(TagSlugConverter, "tag_slug")

app_name = "sources"

urlpatterns = [
    path("themes/<slug:slug>/", views.theme_detail, name="theme"),
    path(
        "themes/<slug:slug>/export/<export_format:format>/",
        export_views.theme_export,
        name="theme_export",
    ),
    path("themes/<slug:slug>/follow/", following_views.follow_theme, name="follow_theme"),
    path("sources/", views.source_list, name="list"),
    path("sources/export/<export_format:format>/", export_views.library_export, name="list_export"),
    path("map/", map_views.evidence_map_page, name="map"),
    path("data/", data_views.open_data_page, name="open_data"),
    path("data/<str:name>", data_views.download, name="download"),
    path("sources/propose/", proposal_views.propose, name="propose"),
    path("sources/propose/lookup/", proposal_views.propose_lookup, name="propose_lookup"),
    path("sources/<slug:slug>/", views.source_detail, name="detail"),
    path("sources/<slug:slug>/edit/", proposal_views.edit, name="edit"),
    path("sources/<slug:slug>/withdraw/", proposal_views.withdraw, name="withdraw"),
    path("sources/<slug:slug>/endorse/", proposal_views.endorse, name="endorse"),
    path("sources/<slug:slug>/follow/", following_views.follow_source, name="follow_source"),
    path(
        "sources/<slug:slug>/export/<export_format:format>/",
        export_views.source_export,
        name="export",
    ),
    path("tags/<tag_slug:slug>/", views.tag_detail, name="tag"),
    path(
        "tags/<tag_slug:slug>/export/<export_format:format>/",
        export_views.tag_export,
        name="tag_export",
    ),
    path("proposals/", proposal_views.proposal_list, name="proposals"),
    path("me/proposals/", proposal_views.my_proposals, name="my_proposals"),
    path("me/following/", following_views.following_page, name="following"),
    path("moderation/", moderation_views.queue, name="moderation"),
    path("moderation/log/", moderation_views.log, name="moderation_log"),
    path("moderation/import/", moderation_views.import_list, name="import"),
    path("moderation/import/<int:pk>/", moderation_views.import_run, name="import_run"),
    path("moderation/links/", moderation_views.links, name="link_health"),
    path("moderation/due/", moderation_views.due_for_review, name="due_for_review"),
    path(
        "moderation/links/<slug:slug>/new-address/",
        moderation_views.accept_new_address,
        name="accept_new_address",
    ),
    path("moderation/<slug:slug>/", moderation_views.review, name="review"),
    path("moderation/<slug:slug>/retire/", moderation_views.retire, name="retire"),
    path("moderation/<slug:slug>/reviewed/", moderation_views.record_review, name="record_review"),
    path("moderation/<slug:slug>/check-link/", moderation_views.check_link, name="check_link"),
]
