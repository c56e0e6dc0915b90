"""Crossref's REST API, asked for a work by its DOI: the work's `updated-by` list names the
notices published about it (retractions, expressions of concern, corrections), by its
publisher and by Retraction Watch.

Reference: https://www.crossref.org/documentation/retrieve-metadata/rest-api/ (the
`/works/{doi}` route; `updated-by` in the works schema at https://api.crossref.org/swagger-ui/).
"""

import json
from urllib.parse import quote

from django.conf import settings

from qlibrary import outbound
from sources.clients import ErrorStatus, UnreadableAnswer

SERVICE = "Crossref"


def updates_of(doi):
    """Crossref's `updated-by` entries for `doi` (dicts with `type`, `DOI`, `label`, `source`
    and `updated`), or None when Crossref has no record of it."""
    url = f"{settings.CROSSREF_API.rstrip('/')}/works/{quote(doi, safe='')}"
    response = outbound.fetch(url, headers={"Accept": "application/json"})
    if response.status == 404:
        return None
    if not response.ok:
        raise ErrorStatus(SERVICE, response.status)
    try:
        message = json.loads(response.content)["message"]
        entries = message.get("updated-by") or []
    except (ValueError, KeyError, TypeError, AttributeError):
        raise UnreadableAnswer("Crossref's answer was not a work record") from None
    return [entry for entry in entries if isinstance(entry, dict)]
