from django.contrib import admin
from django.urls import include, path

from . import feeds, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("ping", views.ping, name="ping"),
    path("members/<str:username>/", views.profile, name="profile"),
    path("me/profile/", views.edit_profile, name="edit_profile"),
    path("feeds/sources/", feeds.NewSourcesFeed(), name="feed_sources"),
    path("themes/<slug:slug>/feed/", feeds.ThemeFeed(), name="feed_theme"),
    path("", include("comments.urls")),
    path("", include("sources.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]

handler404 = "qlibrary.views.page_not_found"
handler500 = "qlibrary.views.server_error"
