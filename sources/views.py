"""Readers' pages: a theme, the library, a source, a tag.

A page that shows a discussion gathers it from comments.discussion (the page's own part of the
comments app); models and services here never import comments.
"""

from django.shortcuts import get_object_or_404, render
from taggit.models import Tag

from comments.discussion import threads

from .access import is_member
from .citations import citations, csl_item, meta_tags
from .endorsements import has_endorsed
from .filters import ListingFilters
from .following import is_following
from .link_health import broken_link
from .models import Source, Theme
from .page_cache import cache_page, remember
from .pagination import paginate
from .permissions import SourcePermissions


@cache_page
def theme_detail(request, slug):
    theme = get_object_or_404(Theme, slug=slug)
    in_theme = Source.objects.approved().in_theme(theme)
    filters = ListingFilters(request.GET, scope=in_theme, scope_name=f"theme:{theme.pk}")
    page = paginate(request, filters.apply(in_theme).for_listing())
    return render(
        request,
        "sources/theme_detail.html",
        {
            "theme": theme,
            "filters": filters,
            "page": page,
            "total": remember(f"theme-total:{theme.pk}", in_theme.count),
            "following": is_member(request.user) and is_following(request.user, theme=theme),
            "discussion": threads(request, theme),
        },
    )


@cache_page
def source_list(request):
    library = Source.objects.approved()
    filters = ListingFilters(request.GET, scope=library, scope_name="library", with_search=True)
    page = paginate(request, filters.apply(library).for_listing())
    return render(request, "sources/source_list.html", {"filters": filters, "page": page})


@cache_page
def source_detail(request, slug):
    source = get_object_or_404(
        Source.objects.visible_to(request.user)
        .for_listing()
        .select_related("link_health", "superseded_by"),
        slug=slug,
    )
    permissions = SourcePermissions(source, request.user)
    context = {
        "source": source,
        "permissions": permissions,
        "link_health": broken_link(source),
        # Only a source with a DOI can have notices: the others cost no query.
        "notices": list(source.notices.all()) if source.doi else [],
        "endorsed": has_endorsed(source, request.user),
        "breakdown": source.perspective_breakdown() if source.endorsement_count else "",
        "discussion": threads(request, source),
        "citations": citations(source),
        "citation_meta": meta_tags(csl_item(source)),
        "following": source.is_approved
        and is_member(request.user)
        and is_following(request.user, source=source),
    }
    return render(request, "sources/source_detail.html", context)


@cache_page
def tag_detail(request, slug):
    tag = get_object_or_404(Tag, slug=slug)
    tagged = Source.objects.approved().filter(tags=tag)
    filters = ListingFilters(request.GET, scope=tagged, scope_name=f"tag:{tag.pk}")
    page = paginate(request, filters.apply(tagged).for_listing())
    return render(
        request, "sources/tag_detail.html", {"tag": tag, "filters": filters, "page": page}
    )
