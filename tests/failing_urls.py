"""A URLconf whose one page fails, to see the site's 500 page as a visitor would."""

from django.urls import path


def fail(request):
    raise RuntimeError("a failure for the 500 page test")


urlpatterns = [path("fail/", fail)]

handler500 = "qlibrary.views.server_error"
