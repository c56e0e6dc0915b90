"""One way to cut a list into pages, for every listing of the site."""

from django.conf import settings
from django.core.paginator import Paginator


def paginate(request, items, *, per_page=None, parameter="page", count=None):
    """The page of `items` that the request's `parameter` asks for (the first or last one when
    it names no page), `per_page` at a time (LIBRARY_PAGE_SIZE unless said otherwise). A
    `count` already known (a fragment in the cache) saves counting the items again."""
    paginator = Paginator(items, per_page or settings.LIBRARY_PAGE_SIZE)
    if count is not None:
        paginator.count = count  # a cached_property: this value is used instead
    return paginator.get_page(request.GET.get(parameter))
