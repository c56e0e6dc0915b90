from django.urls import path, register_converter

from sources.lists import basket_views, feeds, views
from sources.lists.exports import ALL_FORMATS


class ListFormatConverter:
    """The reference-manager formats and the bibliography's documents; any other word is a 404."""

    regex = "|".join(ALL_FORMATS)

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(ListFormatConverter, "list_format")

app_name = "lists"

urlpatterns = [
    path("basket/", basket_views.basket, name="basket"),
    path("basket/add/", basket_views.add, name="basket_add"),
    path("basket/remove/", basket_views.remove, name="basket_remove"),
    path("basket/clear/", basket_views.clear, name="basket_clear"),
    path("basket/state/", basket_views.state, name="basket_state"),
    path("basket/save/", views.save_selection, name="save_selection"),
    path("basket/export/<list_format:format>/", basket_views.export, name="basket_export"),
    path("lists/", views.index, name="index"),
    path("lists/mine/", views.mine, name="mine"),
    path("lists/<slug:slug>/", views.detail, name="detail"),
    path("lists/<slug:slug>/export/<list_format:format>/", views.export, name="export"),
    path("lists/<slug:slug>/feed/", feeds.ListFeed(), name="feed"),
    path("lists/<slug:slug>/edit/", views.edit, name="edit"),
    path("lists/<slug:slug>/add/", views.add, name="add"),
    path(
        "lists/<slug:slug>/items/<int:pk>/<str:action>/",
        views.item_action,
        name="item",
    ),
    path("lists/<slug:slug>/delete/", views.delete, name="delete"),
    path("lists/<slug:slug>/copy/", views.copy, name="copy"),
    path("lists/<slug:slug>/follow/", views.follow, name="follow"),
    path("lists/<slug:slug>/hide/", views.hide, name="hide"),
    path("lists/<slug:slug>/restore/", views.restore, name="restore"),
    path("lists/<slug:slug>/feature/", views.feature, name="feature"),
]
