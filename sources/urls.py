from django.urls import path

from . import data_views, map_views, moderation_views, proposal_views, views

app_name = "sources"

urlpatterns = [
    path("themes/<slug:slug>/", views.theme_detail, name="theme"),
    path("sources/", views.source_list, name="list"),
    path("map/", map_views.evidence_map_page, name="map"),
    path("data/", data_views.open_data_page, name="open_data"),
    path("data/<str:name>", data_views.download, name="download"),
    path("sources/propose/", proposal_views.propose, name="propose"),
    path("sources/<slug:slug>/", views.source_detail, name="detail"),
    path("sources/<slug:slug>/edit/", proposal_views.edit, name="edit"),
    path("sources/<slug:slug>/withdraw/", proposal_views.withdraw, name="withdraw"),
    path("sources/<slug:slug>/endorse/", proposal_views.endorse, name="endorse"),
    path("tags/<slug:slug>/", views.tag_detail, name="tag"),
    path("proposals/", proposal_views.proposal_list, name="proposals"),
    path("me/proposals/", proposal_views.my_proposals, name="my_proposals"),
    path("moderation/", moderation_views.queue, name="moderation"),
    path("moderation/log/", moderation_views.log, name="moderation_log"),
    path("moderation/<slug:slug>/", moderation_views.review, name="review"),
    path("moderation/<slug:slug>/retire/", moderation_views.retire, name="retire"),
]
