"""sitemap.xml for search engines (django.contrib.sitemaps): the site's own pages, the themes,
every approved source with the date it last changed, the tags approved sources carry, and the
public reading lists."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse
from taggit.models import Tag

from sources.lists.models import ReadingList
from sources.models import Source, Theme

from .models import SitePage


class PagesSitemap(Sitemap):
    """The pages that list the library, and the community's rules and promises."""

    def items(self):
        listings = [("home", None), ("sources:list", None), ("sources:map", None)]
        listings += [("sources:open_data", None), ("lists:index", None)]
        return listings + [(f"pages:{page.slug}", page) for page in SitePage.objects.all()]

    def location(self, item):
        return reverse(item[0])

    def lastmod(self, item):
        return item[1].updated_at if item[1] else None


class ThemesSitemap(Sitemap):
    def items(self):
        return Theme.objects.only("slug", "updated_at")

    def lastmod(self, theme):
        return theme.updated_at


class SourcesSitemap(Sitemap):
    def items(self):
        return Source.objects.approved().only("slug", "updated_at").order_by("pk")

    def lastmod(self, source):
        return source.updated_at


class TagsSitemap(Sitemap):
    def items(self):
        approved = Source.Status.APPROVED
        return (
            Tag.objects.filter(sources_taggedsource_items__content_object__status=approved)
            .distinct()
            .only("slug")
            .order_by("slug")
        )

    def location(self, tag):
        return reverse("sources:tag", kwargs={"slug": tag.slug})


class ReadingListsSitemap(Sitemap):
    def items(self):
        return ReadingList.objects.public().only("slug", "updated_at").order_by("pk")

    def lastmod(self, reading_list):
        return reading_list.updated_at


SITEMAPS = {
    "pages": PagesSitemap,
    "themes": ThemesSitemap,
    "sources": SourcesSitemap,
    "tags": TagsSitemap,
    "lists": ReadingListsSitemap,
}
