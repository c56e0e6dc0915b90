from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from qlibrary.cache import cached_page, fragment
from sources.library import page_keys
from sources.library.filters import SEARCH_PARAMETERS, Listing
from sources.opendata import evidence_map

# The listing filters the map does not offer: its rows are the themes, its columns the axis, and
# it has no order.
NOT_ON_THE_MAP = ("theme", "sort", "page")


@cached_page(page_key=page_keys.library, parameters=("by", *SEARCH_PARAMETERS))
def evidence_map_page(request):
    axis = request.GET.get("by")
    axis = axis if axis in evidence_map.AXES else evidence_map.DEFAULT_AXIS
    data = request.GET.copy()
    for name in (*NOT_ON_THE_MAP, axis):
        data.pop(name, None)
    library = Listing.library()
    filters = library.filters(data, request.page_key, leave_out=(*NOT_ON_THE_MAP, axis))
    chosen = {name: value for name, value in filters.cleaned_data.items() if value}
    asked = (axis, *sorted(chosen.items()))

    def drawn():
        # The counts are aggregates over the whole library (50 ms): drawn once per change of
        # its records or its endorsements, which a comment changes neither of.
        return fragment(
            "evidence-map",
            (*asked, *page_keys.records(request.page_key), *page_keys.endorsements()),
            lambda: _build_and_draw(axis, filters.apply(library.scope) if chosen else None, chosen),
        )

    # Reading the endorsements' key costs a count of them (4 ms): the drawing is also kept under
    # the page's key, which holds while nothing in the library changes.
    the_map, body = fragment("evidence-map-drawn", (*asked, *request.page_key), drawn)
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
