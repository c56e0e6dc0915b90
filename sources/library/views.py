"""Readers' pages: a theme, the library, a source, a tag.

A page that shows a discussion gets it from the comments app's template tag
(`{% render_discussion %}`, comments/templatetags/discussions.py): nothing here imports comments.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from taggit.models import Tag

from qlibrary.cache import cached_page, fragment
from qlibrary.db import defer_all_but
from sources.access import is_member
from sources.checks.link_health import broken_link
from sources.evidence.citations import citations, meta_tags
from sources.evidence.meta_tags import og_type
from sources.library import page_keys
from sources.library.filters import LISTING_PARAMETERS, SEARCH_PARAMETERS, Listing, listing_page
from sources.library.following import is_following
from sources.lists.featured import theme_and_featured_lists
from sources.models import Source
from sources.permissions import SourcePermissions
from sources.proposals.endorsements import has_endorsed

DISCUSSION_PARAMETERS = ("comments",)
# What a source's details show of its proposer: their name and their profile's address.
PROPOSER_SHOWN = ("id", "username", "display_name")


@cached_page(page_key=page_keys.theme, parameters=LISTING_PARAMETERS + DISCUSSION_PARAMETERS)
def theme_detail(request, slug):
    if request.page_key is None:
        raise Http404("No such theme.")
    # The theme's row and the lists it features: their changes are in the page's key.
    theme, start_here = fragment(
        "theme-and-featured-lists",
        (slug, *request.page_key),
        lambda: theme_and_featured_lists(slug),
    )
    listing = Listing.of_theme(theme)
    filters = listing.filters(request.GET, request.page_key)
    page = listing_page(request, listing, filters, request.page_key)
    return render(
        request,
        "sources/theme_detail.html",
        {
            "theme": theme,
            "start_here": start_here,
            "filters": filters,
            "page": page,
            "total": fragment(
                "listing-total",
                (listing.name, *page_keys.records(request.page_key)),
                listing.scope.count,
            ),
            "following": is_member(request.user) and is_following(request.user, theme=theme),
        },
    )


@cached_page(page_key=page_keys.library, parameters=SEARCH_PARAMETERS)
def source_list(request):
    listing = Listing.library()
    filters = listing.filters(request.GET, request.page_key)
    page = listing_page(request, listing, filters, request.page_key)
    return render(request, "sources/source_list.html", {"filters": filters, "page": page})


@cached_page(page_key=page_keys.source, parameters=DISCUSSION_PARAMETERS)
def source_detail(request, slug):
    # Its link's health is on every page; its proposer's name and address are in its facts, read
    # in the same query (only those columns); its successor, when it has one (few do), is read
    # when the notice is shown.
    source = get_object_or_404(
        Source.objects.select_related("link_health", "proposer").defer(
            "search_vector", *defer_all_but(Source, "proposer", PROPOSER_SHOWN)
        ),
        slug=slug,
    )
    permissions = SourcePermissions(source, request.user)
    if not permissions.can_view:
        raise Http404("No source here.")
    facts = source_facts(source, request.page_key)
    context = {
        "source": source,
        "permissions": permissions,
        "facts": facts,
        "link_health": broken_link(source),
        # Only a source with a DOI can have notices: the others cost no query.
        "notices": list(source.notices.all()) if source.doi else [],
        "endorsed": has_endorsed(source, request.user),
        "breakdown": facts["breakdown"],
        "following": permissions.can_follow and is_following(request.user, source=source),
    }
    return render(request, "sources/source_detail.html", context)


def source_facts(source, page_key):
    """What a source's page shows that needs its themes, tags and endorsers: the details beside
    it, its citations with their <meta> tags, and whose perspectives endorse it. Worked out once
    per change of the source (and per day: a web source is cited as accessed today)."""
    return fragment(
        "source-facts",
        (source.pk, *page_key, timezone.localdate().isoformat()),
        lambda: _facts_of(source),
    )


def _facts_of(source):
    # Its themes and its tags in a query each (its proposer came with its row).
    source.read_tags()
    details = {"source": source, "themes": list(source.themes.all())}
    return {
        "details": mark_safe(  # noqa: S308 (our template, text escaped)
            render_to_string("sources/includes/source_details.html", details)
        ),
        "citations": citations(source),
        "citation_meta": meta_tags(source),
        "og_type": og_type(source.kind),
        "breakdown": source.perspective_breakdown() if source.endorsement_count else "",
    }


@cached_page(page_key=lambda slug: page_keys.library(), parameters=LISTING_PARAMETERS)
def tag_detail(request, slug):
    tag = get_object_or_404(Tag, slug=slug)
    listing = Listing.of_tag(tag)
    filters = listing.filters(request.GET, request.page_key)
    page = listing_page(request, listing, filters, request.page_key)
    return render(
        request, "sources/tag_detail.html", {"tag": tag, "filters": filters, "page": page}
    )
