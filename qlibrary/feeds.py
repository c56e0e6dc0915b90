"""Atom feeds: newly approved sources, and each theme's new sources and comments.

A source's entry carries its bibliographic record as journal publishers' feeds do: each author
an Atom <author> and each editor a <contributor>, the journal, volume, issue, pages, edition,
identifiers and issued date in PRISM's basic vocabulary, the publisher, language and PubMed ids
in Dublin Core, and a `describedby` link to the whole record as CSL-JSON.
"""

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
from sources.evidence.contributors import EDITOR
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


PRISM = "http://prismstandard.org/namespaces/basic/2.0/"
DUBLIN_CORE = "http://purl.org/dc/elements/1.1/"


def full_name(name):
    """A contributor as a feed reader shows a name: "Mary Dixon-Woods", or the organisation."""
    if name.get("literal"):
        return name["literal"]
    return " ".join(name.get(part, "") for part in ("given", "family", "suffix")).strip()


def source_author_name(source):
    """The entry's one author line when the record names no author (editors only, or none)."""
    if any(name.get("role") != EDITOR for name in source.contributors):
        return None  # each author is an <author> of its own (record_elements)
    return source.authors or source.organisation or None


def issued(source):
    """The issued date as far as it is known: "2014", "2014-02" or "2014-02-01"."""
    parts = [f"{source.year:04d}" if source.year else ""]
    if source.year and source.issued_month:
        parts.append(f"{source.issued_month:02d}")
        if source.issued_day:
            parts.append(f"{source.issued_day:02d}")
    return "-".join(parts)


def record_elements(source):
    """The source's record as (element, text) pairs for its entry, empty values left out."""
    names = [
        ("contributor" if name.get("role") == EDITOR else "author", full_name(name))
        for name in source.contributors
    ]
    fields = [
        ("prism:publicationName", source.container_title),
        ("prism:volume", source.volume),
        # PRISM's number is an issue's; a report's own number stands there when it has no issue.
        ("prism:number", source.issue or source.report_number),
        ("prism:startingPage", source.page_first),
        ("prism:endingPage", source.page_last),
        ("prism:edition", source.edition),
        ("prism:publicationDate", issued(source)),
        ("prism:doi", source.doi),
        ("prism:isbn", source.isbn),
        ("prism:issn", source.issn),
        ("dc:publisher", source.publisher),
        ("dc:language", source.language),
        ("dc:identifier", source.pmid and f"info:pmid/{source.pmid}"),
        (
            "dc:identifier",
            source.pmcid and f"https://pmc.ncbi.nlm.nih.gov/articles/{source.pmcid}/",
        ),
    ]
    return [*names, *((element, text) for element, text in fields if text)]


def record_url(source):
    """The source's whole record as CSL-JSON (its place of publication, report number...)."""
    return f"{settings.SITE_URL}{reverse('sources:export', args=[source.slug, 'csl-json'])}"


class LibraryAtomFeed(Atom1Feed):
    """Atom that drops what XML 1.0 cannot carry (control characters) from every text it is
    given, so one stored title, name or comment never turns the whole feed into an error; an
    entry given a `record` writes it (record_elements) with a link to `record_url`."""

    def __init__(self, *args, **kwargs):
        super().__init__(*map(_showable, args), **{k: _showable(v) for k, v in kwargs.items()})

    def add_item(self, *args, **kwargs):
        super().add_item(*map(_showable, args), **{k: _showable(v) for k, v in kwargs.items()})

    def root_attributes(self):
        return {**super().root_attributes(), "xmlns:prism": PRISM, "xmlns:dc": DUBLIN_CORE}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for element, text in item.get("record", ()):
            if element in ("author", "contributor"):
                handler.startElement(element, {})
                handler.addQuickElement("name", text)
                handler.endElement(element)
            else:
                handler.addQuickElement(element, text)
        if item.get("record_url"):
            csl_json = "application/vnd.citationstyles.csl+json"
            link = {"rel": "describedby", "type": csl_json, "href": item["record_url"]}
            handler.addQuickElement("link", "", link)


class SourceRecords:
    """Feed entries of sources carry their bibliographic record (LibraryAtomFeed writes it)."""

    def item_extra_kwargs(self, item):
        if not isinstance(item, Source):
            return {}
        return {"record": record_elements(item), "record_url": record_url(item)}


class NewSourcesFeed(SourceRecords, Feed):
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
        return source_author_name(source)

    def feed_guid(self):
        return tag_uri("feeds/sources", FEEDS_SINCE)

    def item_guid(self, source):
        return entry_id(source)

    def item_pubdate(self, source):
        return source.approved_at

    def item_updateddate(self, source):
        return entry_updated(source)


class ThemeFeed(SourceRecords, Feed):
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
        return source_author_name(item)

    def item_guid(self, item):
        return entry_id(item)

    def item_pubdate(self, item):
        return item.created_at if isinstance(item, Comment) else item.approved_at

    def item_updateddate(self, item):
        return entry_updated(item)
