"""Cursor paging for the API, with parameters the OpenAPI description states exactly.

django-ninja's CursorPagination keeps its walk (a position, rows to skip there, a direction), but
its cursor is base64 of a query string: any string by its type, and a tampered one reached the
database as a position that is not a date (a server error). Here a cursor is plain text whose
every spelling the schema's pattern describes, and the code accepts exactly those spellings:

    n0.1764979200000000     the next page: from this position on, skipping 0 rows there
    p2.networks             the previous page: up to this position, skipping 2 rows there

A position is what the list is ordered by, written as `Positions` says. A page's size is bounded
in the schema as in the code (outside the bounds it is refused, not quietly clamped).
"""

import re
from datetime import UTC, datetime, timedelta
from typing import Annotated

from ninja import Field, Schema
from ninja.pagination import CursorPagination
from pydantic import AfterValidator, WithJsonSchema

MOST_ROWS_SKIPPED = 9999
DIRECTION, SKIPPED = "[np]", "(?:0|[1-9][0-9]{0,3})"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
CURSOR_PARTS = re.compile(r"(?P<direction>[np])(?P<skipped>[0-9]+)\.(?P<position>.*)", re.DOTALL)


class DatePositions:
    """Positions on a date-time field: whole microseconds since 1970 (UTC). Sixteen digits
    reach about 317 years either side, so every spelling is a date Python can hold."""

    pattern = "-?[0-9]{1,16}"
    max_length = 17

    @staticmethod
    def text(value):
        return str((value - EPOCH) // timedelta(microseconds=1))

    @staticmethod
    def value(text):
        return EPOCH + timedelta(microseconds=int(text))


class NamePositions:
    """Positions on a name (a tag's): the name itself, as long as a tag's name may be. NUL is
    left out: no stored name holds it, and PostgreSQL cannot compare text with it."""

    pattern = "[^\\x00]{1,100}"
    max_length = 100

    @staticmethod
    def text(value):
        return value

    @staticmethod
    def value(text):
        return text


def cursor_parameter(positions):
    """The `cursor` query parameter of a list ordered by `positions`: its schema states the
    pattern and the length that its validation holds it to."""
    pattern = f"{DIRECTION}{SKIPPED}\\.{positions.pattern}"
    max_length = 1 + len(str(MOST_ROWS_SKIPPED)) + 1 + positions.max_length

    def known_spelling(value):
        if not re.fullmatch(pattern, value):
            raise ValueError(
                "Not a cursor of this list: use the address of a page's `next` or "
                "`previous` link as it is given."
            )
        return value

    # The pattern bounds the length; maxLength says so to clients and test generators.
    return Annotated[
        str,
        AfterValidator(known_spelling),
        WithJsonSchema({"type": "string", "pattern": f"^{pattern}$", "maxLength": max_length}),
    ]


class StatedCursorPagination(CursorPagination):
    """CursorPagination whose `cursor` and `page_size` are validated as the schema states."""

    class Cursor(CursorPagination.Cursor):
        o: int = Field(default=0, ge=0, le=MOST_ROWS_SKIPPED)

        @classmethod
        def from_encoded_param(cls, encoded_param, context=None):
            if not encoded_param:
                return cls()
            # The parameter's validation already held the text to the list's pattern.
            parts = CURSOR_PARTS.fullmatch(encoded_param)
            return cls(r=parts["direction"] == "p", o=int(parts["skipped"]), p=parts["position"])

        def encode_as_param(self):
            return f"{'p' if self.r else 'n'}{self.o}.{self.p}"

    def __init__(self, *, positions, ordering, page_size, max_page_size, **kwargs):
        super().__init__(
            ordering=ordering, page_size=page_size, max_page_size=max_page_size, **kwargs
        )
        self.positions = positions
        # (A class body cannot see this method's arguments where it names fields alike.)
        largest, size_said = (
            max_page_size,
            f"Items on a page: {page_size} unless said, at most {max_page_size}.",
        )
        cursor_type = cursor_parameter(positions)

        class Input(Schema):
            page_size: int | None = Field(None, ge=1, le=largest, description=size_said)
            cursor: cursor_type | None = Field(
                None,
                description=(
                    "Where the page starts, as a page's `next` and `previous` links give it; "
                    "none for the first page."
                ),
            )

        self.Input = Input

    def _get_position(self, item):
        return self.positions.text(getattr(item, self._order_attribute))

    def _find_position(self, queryset, cursor):
        if cursor.p is None:
            return queryset
        cmp = "gte" if cursor.r == self._order_attribute_reversed else "lte"
        return queryset.filter(
            **{f"{self._order_attribute}__{cmp}": self.positions.value(cursor.p)}
        )
