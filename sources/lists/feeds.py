"""An Atom feed per public list: its sources, the newest added first."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed

from sources.lists.views import viewable_list
from sources.models import Source

FEED_LENGTH = 50


class ListFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, slug):
        return viewable_list(request, slug)

    def title(self, reading_list):
        return f"{reading_list.title}: a reading list on Q Library"

    def link(self, reading_list):
        return reading_list.share_url

    def subtitle(self, reading_list):
        return f"Sources in the reading list kept by {reading_list.owner.public_name}."

    def feed_guid(self, reading_list):
        return self._id(f"list/{reading_list.pk}", reading_list.created_at)

    def items(self, reading_list):
        return list(
            reading_list.items.filter(source__status=Source.Status.APPROVED)
            .select_related("source")
            .order_by("-added_at", "-pk")[:FEED_LENGTH]
        )

    def item_title(self, item):
        return item.source.title

    def item_description(self, item):
        return item.note or item.source.summary

    def item_link(self, item):
        return item.source.get_absolute_url()

    def item_guid(self, item):
        return self._id(f"list-item/{item.pk}", item.added_at)

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.added_at

    def item_updateddate(self, item):
        return item.added_at

    @staticmethod
    def _id(specific, moment):
        authority = (
            getattr(settings, "FEED_ID_AUTHORITY", "") or urlsplit(settings.SITE_URL).hostname
        )
        return f"tag:{authority},{moment:%Y-%m-%d}:{specific}"
