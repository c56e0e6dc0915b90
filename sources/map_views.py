import hashlib

from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from . import evidence_map
from . import page_cache as pages
from .filters import ListingFilters
from .models import Source

# The listing filters the map does not offer: its rows are the themes, its columns the axis, and
# it has no order.
NOT_ON_THE_MAP = ("theme", "sort", "page")


# The map shows no comment counts: the whole page, like its parts, outlives a comment. It
# counts endorsements by perspective, so it moves with each of them.
@pages.cached_page(
    depends_on=lambda: [pages.listed(pages.LIBRARY), pages.ENDORSEMENTS],
    parameters=("by", *pages.SEARCH_PARAMETERS),
)
def evidence_map_page(request):
    axis = request.GET.get("by")
    axis = axis if axis in evidence_map.AXES else evidence_map.DEFAULT_AXIS
    data = request.GET.copy()
    for name in (*NOT_ON_THE_MAP, axis):
        data.pop(name, None)
    library = Source.objects.approved()
    filters = ListingFilters(
        data,
        scope=library,
        scope_name="library",
        listing=pages.LIBRARY,
        with_search=True,
    )
    for name in (*NOT_ON_THE_MAP, axis):
        filters.fields.pop(name, None)
    chosen = {name: value for name, value in filters.cleaned_data.items() if value}
    # The counts are aggregates over the whole library, so they are kept, drawn, until it changes.
    chosen_key = hashlib.sha256(f"{axis}:{sorted(chosen.items())}".encode()).hexdigest()
    key = f"evidence-map-drawn:{chosen_key}"
    the_map, body = pages.remember(
        key,
        lambda: _build_and_draw(axis, filters.apply(library) if chosen else None, chosen),
        depends_on=[*filters.depends_on, pages.ENDORSEMENTS],
    )
    context = {
        "map": the_map,
        "body": mark_safe(body),  # noqa: S308 (rendered from our template, user text escaped)
        "filters": filters,
        "axes": [
            (name, label, _switch_url(request, name))
            for name, (label, _) in evidence_map.AXES.items()
        ],
    }
    return render(request, "sources/evidence_map.html", context)


def _build_and_draw(axis, sources, chosen):
    the_map = evidence_map.build(axis=axis, sources=sources, query=chosen)
    context = {
        "map": the_map,
        "drawing": evidence_map.drawing(the_map),
        "filters_active": bool(chosen),
    }
    return the_map, str(render_to_string("sources/includes/evidence_map_body.html", context))


def _switch_url(request, axis):
    query = request.GET.copy()
    query.pop(axis, None)
    query["by"] = axis
    return f"{request.path}?{query.urlencode()}"
