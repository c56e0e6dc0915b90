"""Finding sources that may already be in the library: exact by a key (URL, DOI, ISBN, PMID or
PMCID, each normalised the one way sources/evidence/keys.py and sources/evidence/identifiers.py
write it), or by a title that reads much the same."""

import re
from difflib import SequenceMatcher
from functools import reduce
from operator import or_

from django.db.models import Q

from sources.models import Source

STOP_WORDS = {
    "about",
    "after",
    "from",
    "into",
    "review",
    "that",
    "their",
    "there",
    "this",
    "what",
    "when",
    "which",
    "with",
    "your",
    "health",
    "care",
    "improving",
    "improvement",
}
SIMILARITY = 0.6
CANDIDATES = 200


def live_duplicate(*, url_key="", doi_key="", isbn="", pmid="", pmcid="", exclude=None):
    """The live source holding this URL or DOI key, ISBN, PMID or PMCID (normalised), if any."""
    keys = Q()
    for field, value in (
        ("url_key", url_key),
        ("doi_key", doi_key),
        ("isbn", isbn),
        ("pmid", pmid),
        ("pmcid", pmcid),
    ):
        if value:
            keys |= Q(**{field: value})
    if not keys:
        return None
    found = Source.objects.live().filter(keys)
    if exclude is not None and exclude.pk:
        found = found.exclude(pk=exclude.pk)
    return found.first()


def _words(title):
    return {word for word in re.findall(r"\w+", title.lower()) if len(word) > 3} - STOP_WORDS


def _similar(title, other):
    matcher = SequenceMatcher(None, title.lower(), other.lower())
    # quick_ratio() is a cheap upper bound of ratio(): most pairs stop there.
    return matcher.quick_ratio() >= SIMILARITY and matcher.ratio() >= SIMILARITY


def _candidates(titles, exclude_pks):
    words = set().union(*(_words(title) for title in titles))
    if not words:
        return []
    longest = sorted(words, key=len, reverse=True)[:12]
    matching = reduce(or_, (Q(title__icontains=word) for word in longest))
    return list(
        Source.objects.live()
        .filter(matching)
        .exclude(pk__in=exclude_pks)
        .only("pk", "title", "slug", "status")[:CANDIDATES]
    )


def similar_titles(title, *, exclude=None, limit=5):
    """Live sources whose titles read much like this one."""
    exclude_pks = [exclude.pk] if exclude is not None and exclude.pk else []
    found = [other for other in _candidates([title], exclude_pks) if _similar(title, other.title)]
    return found[:limit]


def attach_similar_titles(sources, limit=3):
    """Set `similar` on each source of a page, from one query for the whole page."""
    candidates = _candidates([source.title for source in sources], [])
    for source in sources:
        source.similar = [
            other
            for other in candidates
            if other.pk != source.pk and _similar(source.title, other.title)
        ][:limit]
    return sources


def duplicate_field(duplicate, **keys):
    """Which of the given keys (url_key=..., isbn=...) the duplicate shares: the form field to
    put the message on ("url", "doi", "isbn", "pmid" or "pmcid")."""
    for key, value in keys.items():
        if value and getattr(duplicate, key) == value:
            return key.removesuffix("_key")
    return None


def domain(url_key):
    """The site part of a normalised URL key ("example.org" for "example.org/reports/a")."""
    return url_key.split("/", 1)[0].split("?", 1)[0]


def same_domain(source, *, limit=5):
    """Live sources at the same web site as `source` (by its normalised URL), newest first."""
    site = domain(source.url_key)
    if not site:
        return []
    at_site = (
        Q(url_key=site) | Q(url_key__startswith=f"{site}/") | Q(url_key__startswith=f"{site}?")
    )
    return list(
        Source.objects.live()
        .filter(at_site)
        .exclude(pk=source.pk)
        .only("pk", "title", "slug", "status")
        .order_by("-pk")[:limit]
    )
