"""Open Library, asked for a book by its ISBN through the Books API (`jscmd=data`: the
title, authors, publishers, places and date of publication, and the book's identifiers).

Reference: https://openlibrary.org/dev/docs/api/books
"""

from django.conf import settings

from qlibrary import outbound
from sources.clients import json_object

SERVICE = "Open Library"


def book(isbn):
    """Open Library's record of the book with `isbn` (a dict as the Books API sends it), or
    None when it has none."""
    result = outbound.fetch(
        f"{settings.OPENLIBRARY_BASE}/api/books?bibkeys=ISBN:{isbn}&format=json&jscmd=data"
    )
    data = json_object(result, service=SERVICE)
    # The API answers an ISBN it does not know with an empty object, not a 404.
    record = data.get(f"ISBN:{isbn}") if data is not None else None
    return record if isinstance(record, dict) else None
