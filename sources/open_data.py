"""The dated full download of the library, as open data under CC BY 4.0.

`manage.py export_open_data` writes one file per format (JSON, CSV and RIS) into OPEN_DATA_DIR,
named by the day it was made (q-library-2026-11-28.json); the /data/ page lists them with their
licence. The JSON and CSV rows are the API's own (sources/api.py), so the download and the API
always agree; the RIS file is the library's own export (sources/citations.py).
"""

import csv
import json
import re
from dataclasses import dataclass
from datetime import date
from itertools import islice

from django.conf import settings
from ninja.responses import NinjaJSONEncoder

from .api import SourceOut, ThemeOut, source_data
from .citations import ris_text
from .models import Source, Theme

LICENCE = "CC BY 4.0"
LICENCE_NAME = "Creative Commons Attribution 4.0 International"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
FORMATS = {
    "json": "application/json",
    "csv": "text/csv",
    "ris": "application/x-research-info-systems",
}
FILE_NAME = re.compile(r"^q-library-(?P<day>\d{4}-\d{2}-\d{2})\.(?P<format>json|csv|ris)$")
CHUNK = 500
# Older downloads are removed once this many days' worth are kept.
KEEP = 7
CSV_COLUMNS = [
    "slug",
    "title",
    "url",
    "doi",
    "authors",
    "organisation",
    "year",
    "kind",
    "stance",
    "themes",
    "tags",
    "summary",
    "approved_at",
    "endorsement_count",
    "comment_count",
    "page",
    "citation",
]


@dataclass
class Download:
    name: str
    day: date
    format: str
    size: int

    @property
    def content_type(self):
        return FORMATS[self.format]


def _approved():
    return Source.objects.approved().for_listing().order_by("-approved_at", "-pk")


def _rows():
    for source in _approved().iterator(chunk_size=CHUNK):
        # Through the API's own encoder, so dates and the rest read exactly as the API gives them.
        data = SourceOut.model_validate(source_data(source)).model_dump()
        yield json.loads(json.dumps(data, cls=NinjaJSONEncoder))


def write(directory=None, *, today=None, progress=None):
    """Write today's downloads and remove the oldest beyond KEEP days; returns the files."""
    directory = directory or settings.OPEN_DATA_DIR
    directory.mkdir(parents=True, exist_ok=True)
    day = (today or date.today()).isoformat()
    written = []

    json_path = directory / f"q-library-{day}.json"
    with json_path.open("w", encoding="utf-8") as out:
        header = {
            "title": "Q Library",
            "site": settings.SITE_URL,
            "made_on": day,
            "licence": LICENCE,
            "licence_url": LICENCE_URL,
            "themes": [ThemeOut.from_orm(t).model_dump() for t in _themes()],
        }
        # The sources are streamed into the file rather than held in memory all at once.
        out.write(json.dumps(header, cls=NinjaJSONEncoder, ensure_ascii=False)[:-1])
        out.write(', "sources": [')
        for number, row in enumerate(_rows()):
            out.write(("," if number else "") + "\n" + json.dumps(row, ensure_ascii=False))
            if progress and number and number % 1000 == 0:
                progress(number)
        out.write("\n]}\n")
    written.append(json_path)

    csv_path = directory / f"q-library-{day}.csv"
    with csv_path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for row in _rows():
            row["themes"] = "; ".join(theme["slug"] for theme in row["themes"])
            row["tags"] = "; ".join(row["tags"])
            writer.writerow(row)
    written.append(csv_path)

    ris_path = directory / f"q-library-{day}.ris"
    with ris_path.open("w", encoding="utf-8") as out:
        sources = _approved().prefetch_related("tags").iterator(chunk_size=CHUNK)
        while chunk := list(islice(sources, CHUNK)):
            out.write(ris_text(chunk))
    written.append(ris_path)

    for old in downloads(directory)[KEEP * len(FORMATS) :]:
        (directory / old.name).unlink()
    return written


def _themes():
    return Theme.objects.with_source_counts()


def downloads(directory=None):
    """The downloads on disk, newest first."""
    directory = directory or settings.OPEN_DATA_DIR
    if not directory.is_dir():
        return []
    found = []
    for path in directory.iterdir():
        match = FILE_NAME.match(path.name)
        if match and path.is_file():
            found.append(
                Download(
                    name=path.name,
                    day=date.fromisoformat(match["day"]),
                    format=match["format"],
                    size=path.stat().st_size,
                )
            )
    return sorted(found, key=lambda d: (d.day, d.format), reverse=True)
