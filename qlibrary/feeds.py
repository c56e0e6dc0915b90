"""Atom feeds: newly approved sources, and each theme's new sources and comments."""

from datetime import date

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.text import capfirst

from comments.models import Comment
from sources.models import Source, Theme
from sources.text import safe_to_show

FEED_LENGTH = 30
# The day the library's feeds were first published, part of each feed's own permanent id.
FEEDS_SINCE = date(2026, 11, 25)


def tag_uri(specific, day):
    """A permanent Atom id (RFC 4151 `tag:` URI): the library's naming authority, the day the
    name was first given, and what it names. Slugs and the site's address may change; it never
    does, so feed readers never see an entry twice."""
    return f"tag:{settings.FEED_ID_AUTHORITY},{day:%Y-%m-%d}:{specific}"


def entry_id(item):
    """A source's id from its number and the day it was approved; a comment's from its own."""
    if isinstance(item, Comment):
        return tag_uri(f"comment/{item.pk}", item.created_at)
    return tag_uri(f"source/{item.pk}", item.approved_at or item.created_at)


def entry_updated(item):
    """When the entry last changed in a way a reader would care about (RFC 4287 4.1.2)."""
    if isinstance(item, Comment):
        return item.edited_at or item.created_at
    return item.updated_at


def _showable(value):
    if isinstance(value, str):
        return safe_to_show(value)
    if isinstance(value, list | tuple):
        return type(value)(_showable(part) for part in value)
    return value


class LibraryAtomFeed(Atom1Feed):
    """Atom that drops what XML 1.0 cannot carry (control characters) from every text it is
    given, so one stored title, name or comment never turns the whole feed into an error."""

    def __init__(self, *args, **kwargs):
        super().__init__(*map(_showable, args), **{k: _showable(v) for k, v in kwargs.items()})

    def add_item(self, *args, **kwargs):
        super().add_item(*map(_showable, args), **{k: _showable(v) for k, v in kwargs.items()})


class NewSourcesFeed(Feed):
    feed_type = LibraryAtomFeed
    title = "Q Library: new sources"
    subtitle = "Sources newly approved into the Q Library."

    def link(self):
        return reverse("sources:list")

    def items(self):
        return Source.objects.approved().sorted_by("newest")[:FEED_LENGTH]

    def item_title(self, source):
        return source.title

    def item_description(self, source):
        # Atom summaries are read as HTML: the member's plain text is escaped to stay text.
        return escape(source.summary)

    def item_author_name(self, source):
        return source.authors or source.organisation or None

    def feed_guid(self):
        return tag_uri("feeds/sources", FEEDS_SINCE)

    def item_guid(self, source):
        return entry_id(source)

    def item_pubdate(self, source):
        return source.approved_at

    def item_updateddate(self, source):
        return entry_updated(source)


class ThemeFeed(Feed):
    """A theme's newly approved sources and new comments in its discussions, newest first."""

    feed_type = LibraryAtomFeed

    def get_object(self, request, slug):
        return get_object_or_404(Theme, slug=slug)

    def title(self, theme):
        return f"Q Library: {theme.title}"

    def subtitle(self, theme):
        return f"New sources and comments in the theme “{theme.title}”."

    def link(self, theme):
        return theme.get_absolute_url()

    def feed_guid(self, theme):
        return tag_uri(f"themes/{theme.pk}", FEEDS_SINCE)

    def items(self, theme):
        sources = list(Source.objects.approved().in_theme(theme).sorted_by("newest")[:FEED_LENGTH])
        in_theme = Q(theme=theme) | Q(source__themes=theme, source__status=Source.Status.APPROVED)
        comments = list(
            Comment.objects.filter(in_theme, status=Comment.Status.VISIBLE)
            .select_related("author", "theme", "source")
            .order_by("-created_at")[:FEED_LENGTH]
        )
        items = sources + comments
        items.sort(key=self.item_pubdate, reverse=True)
        return items[:FEED_LENGTH]

    def item_title(self, item):
        if isinstance(item, Comment):
            return f"{capfirst(item.author_name)} commented on “{item.target.title}”"
        return item.title

    def item_link(self, item):
        return item.get_absolute_url()

    def item_description(self, item):
        if isinstance(item, Comment):
            return item.body_html  # sanitized when the comment was written
        return escape(item.summary)

    def item_author_name(self, item):
        if isinstance(item, Comment):
            return item.author_name
        return item.authors or item.organisation or None

    def item_guid(self, item):
        return entry_id(item)

    def item_pubdate(self, item):
        return item.created_at if isinstance(item, Comment) else item.approved_at

    def item_updateddate(self, item):
        return entry_updated(item)
