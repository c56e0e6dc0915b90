from django.conf import settings
from django.http import FileResponse, Http404
from django.shortcuts import render

from . import open_data


def open_data_page(request):
    """The library as open data: the dated downloads, the API and the licence.

    Not from the page cache: a new download is written by a command, not by a write the cache
    hears of, and listing a folder costs less than a cache round trip would save."""
    found = open_data.downloads()
    latest_day = found[0].day if found else None
    context = {
        "latest": [download for download in found if download.day == latest_day],
        "older": [download for download in found if download.day != latest_day],
        "licence": open_data.LICENCE,
        "licence_name": open_data.LICENCE_NAME,
        "licence_url": open_data.LICENCE_URL,
    }
    return render(request, "sources/open_data.html", context)


def download(request, name):
    found = {download.name: download for download in open_data.downloads()}
    if name not in found:
        raise Http404("No such download.")
    response = FileResponse(
        (settings.OPEN_DATA_DIR / name).open("rb"),
        as_attachment=True,
        filename=name,
        content_type=found[name].content_type,
    )
    response["Link"] = f'<{open_data.LICENCE_URL}>; rel="license"'
    return response
