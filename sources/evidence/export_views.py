"""Reference-manager files: one source, or every result of a listing (browse, theme, tag).

A listing's file keeps the listing's filters and search (its query string) and is written in
chunks as it streams, so the whole library costs a few queries per chunk and bounded memory.
"""

from itertools import islice

from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from taggit.models import Tag

from sources.evidence.citations import FORMATS, csl_json_items, reference_file
from sources.library import page_keys
from sources.library.filters import Listing
from sources.models import Source, Theme

CHUNK = 500


def _headers(format, name):
    content_type, extension = FORMATS[format]
    return {
        "Content-Type": f"{content_type}; charset=utf-8",
        "Content-Disposition": f'attachment; filename="{name}.{extension}"',
    }


def source_export(request, slug, format):
    source = get_object_or_404(
        Source.objects.visible_to(request.user).with_accessed_on().prefetch_related("tags"),
        slug=slug,
    )
    return HttpResponse(reference_file(format, [source]), headers=_headers(format, source.slug))


def _chunks(queryset):
    sources = (
        queryset.defer("search_vector").with_accessed_on().prefetch_related("tags").iterator(CHUNK)
    )
    while chunk := list(islice(sources, CHUNK)):
        yield chunk


def _stream(format, queryset):
    if format != "csl-json":
        for chunk in _chunks(queryset):
            yield reference_file(format, chunk)
        return
    yield "["
    separator = "\n"
    for chunk in _chunks(queryset):
        for item in csl_json_items(chunk):
            yield separator + item
            separator = ",\n"
    yield "\n]\n"


def _listing_export(request, format, listing):
    """Every source of a listing that its filters and search leave (its query string). The
    filters' options are the listing's own, worked out once per change of the library."""
    filters = listing.filters(request.GET, page_keys.library())
    return StreamingHttpResponse(
        _stream(format, filters.apply(listing.scope)), headers=_headers(format, listing.name)
    )


def library_export(request, format):
    return _listing_export(request, format, Listing.library())


def theme_export(request, slug, format):
    return _listing_export(request, format, Listing.of_theme(get_object_or_404(Theme, slug=slug)))


def tag_export(request, slug, format):
    return _listing_export(request, format, Listing.of_tag(get_object_or_404(Tag, slug=slug)))
