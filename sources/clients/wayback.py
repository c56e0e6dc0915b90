"""The Internet Archive's Wayback Machine: its availability API says whether it holds a copy
of a page (and which is closest), and Save Page Now is asked to keep a copy of one.

References: https://archive.org/help/wayback_api.php (availability) and
https://web.archive.org/save (Save Page Now, asked with a GET of the save address followed by
the page's address).
"""

import json
from urllib.parse import quote

from django.conf import settings

from qlibrary import outbound
from sources.clients import ErrorStatus, UnreadableAnswer

SERVICE = "The Internet Archive"


def closest_snapshot(url):
    """The availability API's closest snapshot of `url` (as it sends it: a dict with
    `available`, `url`, `timestamp` and `status`), or {} when it has none or answered with an
    error status."""
    response = outbound.fetch(
        f"{settings.WAYBACK_AVAILABILITY_URL}?url={quote(url, safe='')}",
        headers={"Accept": "application/json"},
    )
    try:
        answer = json.loads(response.content) if response.ok else {}
        return answer.get("archived_snapshots", {}).get("closest") or {}
    except (ValueError, AttributeError) as error:
        raise UnreadableAnswer(str(error)) from None


def save_page(url):
    """Ask Save Page Now to capture `url`; ErrorStatus when it refuses."""
    response = outbound.fetch(settings.WAYBACK_SAVE_URL + url)
    if not response.ok:
        raise ErrorStatus(SERVICE, response.status)
