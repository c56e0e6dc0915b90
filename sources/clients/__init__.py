"""Clients of the outside services the library asks, one module per service.

Each module knows only how to ask its service and how to read the answer: the address (from
settings), the parameters and headers, and the body turned into plain Python data. What an
answer means for a source is decided by the callers: `sources/evidence/lookup.py` fills the proposal
form, `sources/checks/link_health.py` has pages archived and offers the copy of a broken link, and
`sources/checks/retractions.py` raises a source's alert.

Every request goes through `qlibrary.outbound`, whose errors (`OutboundError` and its kinds: a
timeout, a blocked address, an answer too large) a client lets through. A client returns None
when the service has no record of what was asked, and raises a `ServiceError` when the service
answered but not with what its API promises.
"""

import json


class ServiceError(Exception):
    """The service answered, but not with the record its API promises."""


class ErrorStatus(ServiceError):
    """The service answered with an HTTP error status (a 404 is read as "no record" instead)."""

    def __init__(self, service, status):
        super().__init__(f"{service} answered HTTP {status}")
        self.status = status


class UnreadableAnswer(ServiceError):
    """The body of the answer is not what the service's API describes."""


def json_object(result, *, service):
    """The JSON object a service answered with (an outbound FetchResult), or None when it
    answered 404 (no such record)."""
    if result.status == 404:
        return None
    if not result.ok:
        raise ErrorStatus(service, result.status)
    try:
        data = json.loads(result.content)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise UnreadableAnswer(f"{service}'s answer is not a JSON object")
    return data
