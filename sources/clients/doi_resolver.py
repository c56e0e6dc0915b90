"""The DOI resolver (doi.org), asked for a DOI's record by content negotiation.

Asked for CSL-JSON, the resolver sends the request on to the DOI's registration agency
(Crossref, DataCite, mEDRA...), so one request answers for every kind of DOI. Reference: DOI
Content Negotiation, https://citation.doi.org/docs.html
"""

from urllib.parse import quote

from django.conf import settings

from qlibrary import outbound
from sources.clients import json_object

SERVICE = "The DOI resolver"
CSL_JSON = "application/vnd.citationstyles.csl+json"


def csl_item(doi):
    """The DOI's record as a CSL-JSON item (a dict), or None when no agency knows the DOI."""
    result = outbound.fetch(
        f"{settings.DOI_RESOLVER}/{quote(doi, safe='/()[]:;')}", headers={"Accept": CSL_JSON}
    )
    return json_object(result, service=SERVICE)
