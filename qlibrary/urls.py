from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path, register_converter
from django.views.decorators.cache import cache_control

from sources.library import page_keys
from sources.lists.api import router as reading_lists_api
from sources.opendata.api import api

from . import feeds, views
from .cache import cached_page
from .models import SitePage
from .sitemaps import SITEMAPS

# Crawlers read the sitemap now and then: an hour late on a new source costs them nothing.
SITEMAP_SECONDS = 3600


class UsernameConverter:
    """The characters Django allows in a username, so a stray byte in the URL is a 404."""

    regex = r"[\w.@+-]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(UsernameConverter, "username")

# Feeds are the same for every reader: from the page cache, with ETag and Last-Modified.
new_sources_feed = cached_page(page_key=page_keys.library, relative_times=False)(
    feeds.NewSourcesFeed()
)
theme_feed = cached_page(page_key=page_keys.theme, relative_times=False)(feeds.ThemeFeed())

# The community's rules and the site's promises: one page each, their text edited in the admin.
site_pages = [
    path(f"{slug}/", views.site_page, {"slug": slug}, name=slug) for slug in SitePage.Slug.values
]

# The JSON API: the library's (sources/opendata/api.py) and the public reading lists'
# (sources/lists/api.py, which reads the library's schemas, so it is mounted here rather than
# there: each module then imports the other one way only).
api.add_router("/lists/", reading_lists_api)

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("ping", views.ping, name="ping"),
    path(
        "robots.txt",
        cache_control(max_age=SITEMAP_SECONDS, public=True)(views.robots_txt),
        name="robots_txt",
    ),
    path(
        "sitemap.xml",
        cache_control(max_age=SITEMAP_SECONDS, public=True)(sitemap),
        {"sitemaps": SITEMAPS},
        name="sitemap",
    ),
    path("members/<username:username>/", views.profile, name="profile"),
    path("me/profile/", views.edit_profile, name="edit_profile"),
    path("me/data/", views.download_my_data, name="download_my_data"),
    path("me/delete/", views.delete_account, name="delete_account"),
    path("", include((site_pages, "pages"))),
    path("feeds/sources/", new_sources_feed, name="feed_sources"),
    path("themes/<slug:slug>/feed/", theme_feed, name="feed_theme"),
    path("", include("comments.urls")),
    path("", include("sources.urls")),
    path("", include("sources.lists.urls")),
    path("api/", api.urls),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]

handler404 = "qlibrary.views.page_not_found"
handler500 = "qlibrary.views.server_error"
