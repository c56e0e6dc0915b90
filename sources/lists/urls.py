from django.urls import path, register_converter

from . import basket_views
from .exports import ALL_FORMATS


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
    path("basket/export/<list_format:format>/", basket_views.export, name="basket_export"),
]
