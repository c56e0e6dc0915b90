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

from . import page_cache as pages
from .access import is_member
from .citations import citations, meta_tags
from .endorsements import has_endorsed
from .filters import ListingFilters
from .following import is_following
from .link_health import broken_link
from .lists.featured import theme_and_featured_lists
from .meta_tags import og_type
from .models import Source
from .permissions import SourcePermissions


@pages.cached_page(
    depends_on=lambda slug: [
        pages.theme_page(slug),
        pages.theme_sources(slug),
        pages.listed(pages.theme_sources(slug)),
    ],
    also_read=[pages.ENDORSEMENTS],
    parameters=pages.LISTING_PARAMETERS + pages.DISCUSSION_PARAMETERS,
)
def theme_detail(request, slug):
    # Kept under the theme's version, as its whole page is (featuring, hiding or editing a
    # featured list moves it: sources/lists/services.py).
    theme, start_here = pages.remember(
        f"theme-and-featured-lists:{slug}",
        lambda: theme_and_featured_lists(slug),
        depends_on=[pages.theme_page(slug)],
    )
    in_theme = Source.objects.approved().in_theme(theme)
    filters = ListingFilters(
        request.GET,
        scope=in_theme,
        scope_name=f"theme:{theme.pk}",
        listing=pages.theme_sources(theme.slug),
    )
    page = filters.page(request, in_theme)
    return render(
        request,
        "sources/theme_detail.html",
        {
            "theme": theme,
            "start_here": start_here,
            "filters": filters,
            "page": page,
            "total": pages.remember(
                f"theme-total:{theme.pk}", in_theme.count, depends_on=filters.depends_on
            ),
            "following": is_member(request.user) and is_following(request.user, theme=theme),
        },
    )


@pages.cached_page(
    depends_on=lambda: [pages.LIBRARY, pages.listed(pages.LIBRARY)],
    also_read=[pages.ENDORSEMENTS],
    parameters=pages.SEARCH_PARAMETERS,
)
def source_list(request):
    library = Source.objects.approved()
    filters = ListingFilters(
        request.GET,
        scope=library,
        scope_name="library",
        listing=pages.LIBRARY,
        with_search=True,
    )
    page = filters.page(request, library)
    return render(request, "sources/source_list.html", {"filters": filters, "page": page})


@pages.cached_page(
    depends_on=lambda slug: [pages.source_page(slug)], parameters=pages.DISCUSSION_PARAMETERS
)
def source_detail(request, slug):
    source = kept_source(slug)
    permissions = SourcePermissions(source, request.user)
    if not permissions.can_view:
        raise Http404("No source here.")
    facts = source_facts(source)
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


def kept_source(slug):
    """The source at `slug` with its proposer and link check, as its page shows them: kept
    while the source's version holds, as its whole page is (building this query through the ORM
    cost 3 ms a request, five times what the database takes to answer it). A successor, which
    a change of its own would not refresh here, is read when the page shows it."""

    def read():
        return get_object_or_404(
            Source.objects.defer("search_vector").select_related("proposer", "link_health"),
            slug=slug,
        )

    return pages.remember(f"source-row:{slug}", read, depends_on=[pages.source_page(slug)])


def source_facts(source):
    """What a source's page shows that needs its themes, tags and endorsers: the details beside
    it, its citations with their <meta> tags, and whose perspectives endorse it. Worked out once
    per version of the source (and per day: a web source is cited as accessed today)."""
    return pages.remember(
        f"source-facts:{source.pk}:{timezone.localdate().isoformat()}",
        lambda: _facts_of(
            Source.objects.for_listing().select_related("link_health").get(pk=source.pk)
        ),
        depends_on=[pages.source_page(source.slug)],
    )


def _facts_of(source):
    return {
        "details": mark_safe(  # noqa: S308 (our template, text escaped)
            render_to_string("sources/includes/source_details.html", {"source": source})
        ),
        "citations": citations(source),
        "citation_meta": meta_tags(source),
        "og_type": og_type(source.kind),
        "breakdown": source.perspective_breakdown() if source.endorsement_count else "",
    }


@pages.cached_page(
    depends_on=lambda slug: [pages.tag_page(slug), pages.listed(pages.tag_page(slug))],
    also_read=[pages.ENDORSEMENTS],
    parameters=pages.LISTING_PARAMETERS,
)
def tag_detail(request, slug):
    tag = get_object_or_404(Tag, slug=slug)
    tagged = Source.objects.approved().filter(tags=tag)
    filters = ListingFilters(
        request.GET,
        scope=tagged,
        scope_name=f"tag:{tag.pk}",
        listing=pages.tag_page(slug),
    )
    page = filters.page(request, tagged)
    return render(
        request, "sources/tag_detail.html", {"tag": tag, "filters": filters, "page": page}
    )
