from datetime import UTC, datetime

from django.http import FileResponse, Http404
from django.shortcuts import render
from django.views.decorators.http import condition

from sources.opendata import open_data


def open_data_page(request):
    """The library as open data: the dated downloads, the API and the licence.

    Not from the page cache: a new download is written by a command, not by a write the cache
    hears of, and listing a folder costs less than a cache round trip would save."""
    found = open_data.downloads()
    latest_day = found[0].day if found else None
    context = {
        "latest": [download for download in found if download.day == latest_day],
        "package": open_data.served_file(open_data.PACKAGE) is not None,
        "older": [download for download in found if download.day != latest_day],
        "licence": open_data.LICENCE,
        "licence_name": open_data.LICENCE_NAME,
        "licence_url": open_data.LICENCE_URL,
    }
    return render(request, "sources/open_data.html", context)


def _file_state(name):
    served = open_data.served_file(name)
    return served[0].stat() if served else None


def _etag(request, name):
    state = _file_state(name)
    return f'"{state.st_mtime_ns:x}-{state.st_size:x}"' if state else None


def _last_modified(request, name):
    state = _file_state(name)
    return datetime.fromtimestamp(state.st_mtime, tz=UTC) if state else None


@condition(etag_func=_etag, last_modified_func=_last_modified)
def download(request, name):
    """A dated download (an attachment), or the package or README that describe them; a client
    that has the file already gets 304 Not Modified (ETag and Last-Modified)."""
    served = open_data.served_file(name)
    if served is None:
        raise Http404("No such download.")
    path, content_type = served
    dated = name not in open_data.DESCRIPTIONS
    response = FileResponse(
        path.open("rb"), as_attachment=dated, filename=name, content_type=content_type
    )
    response["Link"] = f'<{open_data.LICENCE_URL}>; rel="license"'
    return response
