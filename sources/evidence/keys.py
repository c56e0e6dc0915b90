"""Normalised keys for URLs and DOIs, so the same source cannot enter the library twice.

Two addresses that differ only in scheme, letter case of the host, a trailing slash, a leading
"www." or tracking parameters name the same page; a DOI is case-insensitive and is often written
as a doi.org link.
"""

import re
from urllib.parse import parse_qsl, urlencode, urlsplit

TRACKING_PARAMETERS = {"fbclid", "gclid", "mc_cid", "mc_eid", "_ga", "ref", "dclid", "msclkid"}
# A suffix of printable characters: no spaces and no control characters (a NUL would reach the
# resolver and, on PostgreSQL, fail the duplicate query), and none of the braces, backslash or
# quote that would let a DOI close its field in an export.
DOI_PATTERN = re.compile(r'^10\.\d{4,9}/[^\s\x00-\x1f\x7f-\x9f{}\\"]+$')
DOI_PREFIXES = re.compile(r"^(?:https?://)?(?:dx\.|www\.)?(?:doi\.org/)|^doi:\s*", re.IGNORECASE)


def normalize_url(url):
    """Return a key that is equal for addresses naming the same page, or "" for no URL."""
    url = (url or "").strip()
    if not url:
        return ""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.")
    if parts.port and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"
    path = parts.path.rstrip("/")
    query = [
        (name, value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if not name.lower().startswith("utm_") and name.lower() not in TRACKING_PARAMETERS
    ]
    key = host + path
    if query:
        key += "?" + urlencode(sorted(query))
    return key


def normalize_doi(doi):
    """Return the bare, lower-case DOI ("10.1000/xyz") or "" for none."""
    doi = (doi or "").strip()
    return DOI_PREFIXES.sub("", doi).strip().lower()


def is_valid_doi(doi):
    return bool(DOI_PATTERN.match(normalize_doi(doi)))
