from django.urls import path

from . import views

app_name = "comments"

urlpatterns = [
    path("themes/<slug:slug>/comments/", views.post_on_theme, name="post_on_theme"),
    path("sources/<slug:slug>/comments/", views.post_on_source, name="post_on_source"),
    path("comments/<int:pk>/reply/", views.reply, name="reply"),
    path("comments/<int:pk>/edit/", views.edit, name="edit"),
    path("comments/<int:pk>/delete/", views.delete, name="delete"),
    path("comments/<int:pk>/flag/", views.flag, name="flag"),
    path("moderation/comments/", views.flagged, name="flagged"),
    path(
        "moderation/comments/flags-by/<int:member_id>/dismiss/",
        views.dismiss_member_flags,
        name="dismiss_member_flags",
    ),
    path("moderation/comments/<int:pk>/hide/", views.moderate, {"action": "hide"}, name="hide"),
    path(
        "moderation/comments/<int:pk>/restore/",
        views.moderate,
        {"action": "restore"},
        name="restore",
    ),
    path(
        "moderation/comments/<int:pk>/dismiss/",
        views.moderate,
        {"action": "dismiss"},
        name="dismiss",
    ),
]
