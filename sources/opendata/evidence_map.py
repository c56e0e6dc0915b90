"""The evidence-and-gap map: the library counted by theme and stance (or kind), and by whose
perspectives stand behind each part of it.

Everything comes from two grouped queries, whatever the size of the library: one counts the
approved sources in each (theme, column) cell, the other counts their endorsements by the
endorser's perspective. Empty and thin cells are the gaps the page invites proposals for.
"""

import textwrap
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count
from django.urls import reverse

from sources.models import Endorsement, Source, Theme
from sources.perspectives import GROUP_NAMES, Perspective

# What the columns of the grid can be: the library's two ways of sorting evidence within a theme.
AXES = {
    "stance": ("Stance", Source.Stance.choices),
    "kind": ("Kind", Source.Kind.choices),
}
DEFAULT_AXIS = "stance"
# A cell holding this many sources or fewer is thin: worth a nudge, not yet a gap.
THIN = 1


@dataclass
class Cell:
    theme: Theme
    value: str
    label: str
    count: int = 0
    perspectives: dict = field(default_factory=dict)
    listing_url: str = ""
    propose_url: str = ""

    @property
    def is_gap(self):
        return self.count == 0

    @property
    def is_thin(self):
        return 0 < self.count <= THIN

    @property
    def endorsement_count(self):
        return sum(self.perspectives.values())

    def perspective_shares(self):
        """(label, count) for each perspective that endorsed sources in this cell, largest first."""
        ordered = sorted(self.perspectives.items(), key=lambda item: (-item[1], _order(item[0])))
        return [(GROUP_NAMES[perspective][1 if n != 1 else 0], n) for perspective, n in ordered]


@dataclass
class ThemeVoices:
    """Which perspectives have endorsed a theme's sources, and which are not heard yet."""

    theme: Theme
    heard: list
    missing: list


@dataclass
class EvidenceMap:
    axis: str
    axis_label: str
    columns: list
    rows: list  # (theme, [Cell, ...]) in column order
    voices: list
    total: int

    @property
    def max_count(self):
        return max((cell.count for _, cells in self.rows for cell in cells), default=0)


def _order(perspective):
    return list(GROUP_NAMES).index(perspective)


def build(*, axis=DEFAULT_AXIS, sources=None, query=None):
    """The map of `sources` (the approved library unless narrowed by the listing filters).

    `query` holds the listing filters already chosen (kind, tag, year, search words), so that a
    cell's link opens the listing narrowed by them as well as by the cell's theme and column.
    """
    if axis not in AXES:
        axis = DEFAULT_AXIS
    axis_label, columns = AXES[axis]
    if sources is None:
        # The whole library, read straight from its rows (the common case, so the cheap one).
        in_scope = Source.objects.approved()
        endorsements = Endorsement.objects.filter(source__status=Source.Status.APPROVED)
    else:
        # A filtered listing may join tags or search terms: its sources, each once.
        in_scope = Source.objects.filter(pk__in=sources.order_by().values("pk"))
        endorsements = Endorsement.objects.filter(source__in=in_scope)
    query = {key: value for key, value in (query or {}).items() if value and key != axis}

    counts = {
        (theme_id, value): number
        for theme_id, value, number in in_scope.order_by()
        .values_list("themes", axis)
        .annotate(number=Count("pk"))
    }
    spread = {}
    for theme_id, value, perspective, number in (
        endorsements.order_by()
        .values_list("source__themes", f"source__{axis}", "member__perspective")
        .annotate(number=Count("pk"))
    ):
        spread.setdefault((theme_id, value), {})[perspective or ""] = number

    themes = list(Theme.objects.all())
    rows = []
    for theme in themes:
        cells = []
        for value, label in columns:
            filters = {**query, "theme": theme.slug, axis: value}
            propose = {"theme": theme.slug, axis: value}
            cells.append(
                Cell(
                    theme=theme,
                    value=value,
                    label=label,
                    count=counts.get((theme.pk, value), 0),
                    perspectives=spread.get((theme.pk, value), {}),
                    listing_url=f"{reverse('sources:list')}?{urlencode(filters)}",
                    propose_url=f"{reverse('sources:propose')}?{urlencode(propose)}",
                )
            )
        rows.append((theme, cells))

    return EvidenceMap(
        axis=axis,
        axis_label=axis_label,
        columns=columns,
        rows=rows,
        voices=[_voices(theme, cells) for theme, cells in rows],
        total=in_scope.count(),
    )


def _voices(theme, cells):
    heard = {}
    for cell in cells:
        for perspective, number in cell.perspectives.items():
            heard[perspective] = heard.get(perspective, 0) + number
    named = [(p, n) for p, n in heard.items() if p]
    named.sort(key=lambda item: (-item[1], _order(item[0])))
    return ThemeVoices(
        theme=theme,
        heard=[(GROUP_NAMES[p][1 if n != 1 else 0], n) for p, n in named],
        missing=[GROUP_NAMES[p][1] for p in Perspective.values if p not in heard],
    )


# The drawing ------------------------------------------------------------------------------------
# Geometry for the SVG grid, in the viewBox's units. Themes have long names, so the stance view
# puts themes on the rows (three short columns) and the kind view puts kinds on the rows (three
# theme columns): either way the grid stays three columns wide and reads at phone width.

LABEL_WIDTH = 250
CELL_WIDTH = 150
CELL_HEIGHT = 86
HEADER_HEIGHT = 64
BAR_HEIGHT = 10
CELL_GAP = 4  # between a cell's shaded box and its neighbours'
COUNT_BASELINE = 42  # from the top of the cell
BAR_TOP = 62
BAR_INSET = 12  # the bar's margin inside the cell, left and right
LINE_HEIGHT = 17
ROW_LINES = 5  # the lines of a row's label that fit in CELL_HEIGHT
# One colour per perspective for the endorsement bar, with "not given" in grey.
PERSPECTIVE_COLOURS = {
    Perspective.PATIENT: "#b3400a",
    Perspective.CLINICIAN: "#1d4a85",
    Perspective.NURSE_AHP: "#5b7fbf",
    Perspective.MANAGER: "#6b4c9a",
    Perspective.IMPROVEMENT: "#0b5b61",
    Perspective.RESEARCHER: "#1c5a2e",
    Perspective.POLICY: "#8a6d00",
    Perspective.OTHER: "#8a8f9c",
    "": "#d6d2c6",
}


@dataclass
class DrawnCell:
    """One cell of the drawing. Coordinates are SVG attribute text, worked out here: the template
    only places them (a number in a template goes through localization, a filter per use)."""

    cell: Cell
    column_label: str
    x: str  # the shaded box
    y: str
    count_x: str  # the centre of the count
    count_y: str
    fill_opacity: str  # "" for an empty cell
    on_dark: bool  # the count is written in white
    bar_y: str
    bar: list  # (x, width, colour), attribute text


def _number(value):
    """A coordinate as SVG attribute text: 12, 12.5 (never 12.0)."""
    return f"{value:g}"


def _wrap(text, width):
    return textwrap.wrap(text, width) or [""]


def drawing(evidence_map):
    """Positions, shades and label lines for the SVG, from the map's counts."""
    by_theme = evidence_map.axis == "kind"
    themes = [theme for theme, _ in evidence_map.rows]
    if by_theme:
        column_labels = [theme.title for theme in themes]
        row_labels = [label for _, label in evidence_map.columns]
        grid = [
            [cells[index] for _, cells in evidence_map.rows]
            for index in range(len(evidence_map.columns))
        ]
    else:
        column_labels = [label for _, label in evidence_map.columns]
        row_labels = [theme.title for theme in themes]
        grid = [cells for _, cells in evidence_map.rows]

    # Column headings are wrapped whole (a theme's name is never cut): the header grows with the
    # longest. Row labels take as many lines as a row holds.
    heading_lines = [_wrap(label, 16) for label in column_labels]
    header_height = HEADER_HEIGHT + LINE_HEIGHT * max(
        0, max((len(lines) for lines in heading_lines), default=0) - 3
    )
    most = evidence_map.max_count or 1
    rows = []
    for row_index, (label, cells) in enumerate(zip(row_labels, grid, strict=True)):
        y = header_height + row_index * CELL_HEIGHT
        drawn = []
        for column_index, cell in enumerate(cells):
            x = LABEL_WIDTH + column_index * CELL_WIDTH
            opacity = round(0.12 + 0.78 * cell.count / most, 2) if cell.count else 0
            drawn.append(
                DrawnCell(
                    cell=cell,
                    column_label=column_labels[column_index],
                    x=_number(x + CELL_GAP),
                    y=_number(y + CELL_GAP),
                    count_x=_number(x + CELL_WIDTH / 2),
                    count_y=_number(y + COUNT_BASELINE),
                    fill_opacity=_number(opacity) if cell.count else "",
                    on_dark=opacity > 0.5,
                    bar_y=_number(y + BAR_TOP),
                    bar=_bar(cell, x + BAR_INSET, CELL_WIDTH - 2 * BAR_INSET),
                )
            )
        lines = _wrap(label, 30)[:ROW_LINES]
        first = y + CELL_HEIGHT / 2 - (len(lines) - 1) * LINE_HEIGHT / 2 + 5
        rows.append(
            {
                "label": label,
                "label_lines": [
                    (_number(first + n * LINE_HEIGHT), line) for n, line in enumerate(lines)
                ],
                "cells": drawn,
            }
        )
    columns = []
    for column_index, (label, lines) in enumerate(zip(column_labels, heading_lines, strict=True)):
        x = LABEL_WIDTH + column_index * CELL_WIDTH + CELL_WIDTH / 2
        first = header_height - 10 - (len(lines) - 1) * LINE_HEIGHT
        columns.append(
            {
                "label": label,
                "x": _number(x),
                "lines": [(_number(first + n * LINE_HEIGHT), t) for n, t in enumerate(lines)],
            }
        )
    return {
        "width": _number(LABEL_WIDTH + CELL_WIDTH * len(column_labels)),
        "height": _number(header_height + CELL_HEIGHT * len(row_labels)),
        "box_width": _number(CELL_WIDTH - 2 * CELL_GAP),
        "box_height": _number(CELL_HEIGHT - 2 * CELL_GAP),
        "bar_height": _number(BAR_HEIGHT),
        "rows": rows,
        "columns": columns,
        "legend": [
            (GROUP_NAMES[p][1].capitalize(), colour) for p, colour in PERSPECTIVE_COLOURS.items()
        ],
        # The legend explains the bars: without an endorsement on the map there is none to show.
        "has_bars": any(drawn.bar for row in rows for drawn in row["cells"]),
    }


def _bar(cell, x, width):
    """The endorsements' perspectives as a stacked bar across the bottom of the cell."""
    total = cell.endorsement_count
    if not total:
        return []
    segments, left = [], x
    for perspective, colour in PERSPECTIVE_COLOURS.items():
        number = cell.perspectives.get(perspective, 0)
        if number:
            length = round(width * number / total, 1)
            segments.append((_number(round(left, 1)), _number(length), colour))
            left += length
    return segments
