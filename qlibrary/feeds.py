"""Atom feeds: newly approved sources, and each theme's new sources and comments."""

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

    def item_pubdate(self, source):
        return source.approved_at

    def item_updateddate(self, source):
        return source.updated_at


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

    def item_pubdate(self, item):
        return item.created_at if isinstance(item, Comment) else item.approved_at
