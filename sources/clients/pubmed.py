"""PubMed, asked through NCBI's E-utilities: ESummary gives a paper's summary record by its
PubMed ID (its title, authors, journal, identifiers, publication types and links to
retraction notices).

Reference: "The E-utilities In-Depth: Parameters, Syntax and More", ESummary,
https://www.ncbi.nlm.nih.gov/books/NBK25499/
"""

from django.conf import settings

from qlibrary import outbound
from sources.clients import ServiceError, json_object

SERVICE = "PubMed"


class QueryRefused(ServiceError):
    """E-utilities answered with an error of its own instead of a result; the message is
    its text."""


def summary(pmid):
    """ESummary's record of `pmid` (a dict as E-utilities sends it, version 2.0 JSON), or None
    when PubMed has no record with that ID."""
    result = outbound.fetch(
        f"{settings.EUTILS_BASE}/esummary.fcgi?db=pubmed&id={pmid}&retmode=json&tool=qlibrary"
    )
    data = json_object(result, service=SERVICE)
    if data is None:
        return None
    if data.get("error"):
        raise QueryRefused(str(data["error"]))
    record = (data.get("result") or {}).get(pmid)
    # An ID PubMed does not hold comes back as a record that only says why.
    if not isinstance(record, dict) or record.get("error"):
        return None
    return record
