"""The dated full download of the library, as open data under CC BY 4.0.

`manage.py export_open_data` writes one file per format (JSON, CSV and RIS) into OPEN_DATA_DIR,
named by the day it was made (q-library-2026-11-28.json), and beside them a README and a
Frictionless Data Package (datapackage.json) that describe the newest, with the licence and the
CSV's schema; the /data/ page lists them with their licence. The JSON and CSV rows are the API's own
(sources/opendata/api.py), so the download and the API always agree; the RIS file is the library's
own export (sources/evidence/citations.py).
"""

import csv
import enum
import hashlib
import json
import re
import types
import typing
from dataclasses import dataclass
from datetime import date, datetime
from itertools import islice

from django.conf import settings
from ninja.responses import NinjaJSONEncoder

from sources.evidence.citations import ris_text
from sources.lists.api import public_lists_data
from sources.models import Source, Theme
from sources.opendata.api import SourceOut, ThemeOut, source_data

LICENCE = "CC BY 4.0"
LICENCE_NAME = "Creative Commons Attribution 4.0 International"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
FORMATS = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "ris": "application/x-research-info-systems; charset=utf-8",
}
# Beside the dated files, what describes the newest of them: a Frictionless Data Package (the
# licence, each file and the CSV's table schema) and a plain-text README with the licence.
PACKAGE = "datapackage.json"
README = "README.txt"
DESCRIPTIONS = {PACKAGE: "application/json", README: "text/plain; charset=utf-8"}
FILE_NAME = re.compile(r"^q-library-(?P<day>\d{4}-\d{2}-\d{2})\.(?P<format>json|csv|ris)$")
CHUNK = 500
# Older downloads are removed once this many days' worth are kept.
KEEP = 7
CSV_COLUMNS = [
    "slug",
    "title",
    "url",
    "doi",
    "contributors",
    "et_al",
    "authors",
    "organisation",
    "container_title",
    "volume",
    "issue",
    "page_first",
    "page_last",
    "publisher",
    "publisher_place",
    "edition",
    "report_number",
    "pmid",
    "pmcid",
    "isbn",
    "issn",
    "year",
    "issued_month",
    "issued_day",
    "language",
    "accessed_on",
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
    "citation_style",
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
    for source in _approved().with_accessed_on().iterator(chunk_size=CHUNK):
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
            # The public reading lists, as the API gives them (sources/lists/api.py).
            "reading_lists": public_lists_data(),
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
            row["contributors"] = json.dumps(row["contributors"], ensure_ascii=False)
            row["citation_style"] = row["citation"]["style"]
            row["citation"] = row["citation"]["text"]
            writer.writerow(row)
    written.append(csv_path)

    ris_path = directory / f"q-library-{day}.ris"
    with ris_path.open("w", encoding="utf-8") as out:
        sources = _approved().with_accessed_on().prefetch_related("tags").iterator(chunk_size=CHUNK)
        while chunk := list(islice(sources, CHUNK)):
            out.write(ris_text(chunk))
    written.append(ris_path)

    for old in downloads(directory)[KEEP * len(FORMATS) :]:
        (directory / old.name).unlink()
    readme = _replace(directory / README, readme_text(day, written))
    package = package_data(day, [*written, readme])
    package_path = _replace(directory / PACKAGE, json.dumps(package, indent=2, ensure_ascii=False))
    return [*written, readme, package_path]


def _replace(path, text):
    """Write the file whole, then put it in place: a reader never gets half of it."""
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text + "\n", encoding="utf-8")
    partial.replace(path)
    return path


# What some CSV columns hold beyond what the API says of them.
CSV_NOTES = {
    "slug": "The source's name in the library's addresses: /sources/<slug>/.",
    "themes": "The slugs of its themes, separated by “; ”.",
    "tags": "Its tags, separated by “; ”.",
    "approved_at": "When a moderator approved it into the library (ISO 8601).",
    "contributors": (
        "The people and organisations who wrote (author) or edited (editor) it, in order: a "
        "JSON array of CSL-JSON names with a role, as the API gives them."
    ),
    "citation": "How to cite it, in plain text, in the style of citation_style.",
    "citation_style": "The citation's style: apa (APA 7).",
}


def csv_field(column):
    """A CSV column's Table Schema field, from the type the API gives it (SourceOut)."""
    field = {"name": column, "type": "string"}
    info = SourceOut.model_fields.get(column)
    if info is not None:
        kind = info.annotation
        if typing.get_origin(kind) in (typing.Union, types.UnionType):
            kind = next(part for part in typing.get_args(kind) if part is not type(None))
        if kind is bool:
            field["type"] = "boolean"
        elif kind is int:
            field["type"] = "integer"
        elif typing.get_origin(kind) is list:
            field["type"] = "array"
        elif kind is date:
            field["type"] = "date"
        elif kind is datetime:
            field.update(type="datetime", format="any")
        elif isinstance(kind, type) and issubclass(kind, enum.Enum):
            field["constraints"] = {"enum": [member.value for member in kind]}
        if info.description:
            field["description"] = info.description
    if column in CSV_NOTES:
        field["description"] = CSV_NOTES[column]
    return field


def csv_schema():
    """The CSV's Table Schema: a field for each of CSV_COLUMNS, in the file's order."""
    return {
        "fields": [csv_field(column) for column in CSV_COLUMNS],
        "primaryKey": ["slug"],
        "missingValues": [""],
    }


RESOURCE_TITLES = {
    "json": "Every approved source, the themes and the public reading lists (JSON, as in the API)",
    "csv": "Every approved source, one a row (CSV)",
    "ris": "Every approved source as a citation (RIS, for reference managers)",
    "txt": "What the files hold, and the licence (README)",
}


def package_data(day, paths):
    """The Frictionless Data Package (v1) describing the files at `paths`, written on `day`."""
    resources = []
    for path in paths:
        extension = path.suffix.lstrip(".")
        content = path.read_bytes()
        resource = {
            "name": f"q-library-{extension}" if path.name != README else "readme",
            "title": RESOURCE_TITLES[extension],
            "path": path.name,
            "format": extension,
            "mediatype": (FORMATS.get(extension) or DESCRIPTIONS[README]).split(";")[0],
            "encoding": "utf-8",
            "bytes": len(content),
            "hash": f"sha256:{hashlib.sha256(content).hexdigest()}",
            "licenses": [_licence()],
        }
        if extension == "csv":
            resource["profile"] = "tabular-data-resource"
            resource["dialect"] = {"delimiter": ",", "header": True, "lineTerminator": "\r\n"}
            resource["schema"] = csv_schema()
        resources.append(resource)
    return {
        "profile": "data-package",
        "name": "q-library",
        "title": "Q Library",
        "description": (
            "Every approved source in Q Library, the community-curated library of evidence for "
            "health-care improvement: its bibliographic details, themes, tags, stance, summary, "
            "citation and counts."
        ),
        "homepage": settings.SITE_URL,
        "version": day,
        "created": f"{day}T00:00:00Z",
        "licenses": [_licence()],
        "sources": [{"title": "Q Library", "path": settings.SITE_URL}],
        "resources": resources,
    }


def _licence():
    return {"name": "CC-BY-4.0", "title": LICENCE_NAME, "path": LICENCE_URL}


def readme_text(day, paths):
    """The README beside the files: what each holds, the licence and how to credit it."""
    files = "\n".join(f"- {path.name}: {RESOURCE_TITLES[path.suffix[1:]]}" for path in paths)
    columns = "\n".join(
        f"- {field['name']}" + (f": {field['description']}" if "description" in field else "")
        for field in csv_schema()["fields"]
    )
    return f"""Q Library: open data made on {day}
{settings.SITE_URL}

Licence: {LICENCE_NAME} ({LICENCE}), {LICENCE_URL}
You may copy, adapt and build on these data for any purpose, as long as you credit
"Q Library" and link to {settings.SITE_URL}. The sources themselves belong to their authors
and publishers: the library shares what it says about them, not their content.

Files (UTF-8):
{files}

{PACKAGE} describes them as a Frictionless Data Package (https://specs.frictionlessdata.io/),
with the CSV's table schema.

CSV columns:
{columns}"""


def _themes():
    return Theme.objects.with_source_counts()


def served_file(name, directory=None):
    """The path and content type of the open-data file called `name`, or None: the dated
    downloads, and the package and README that describe the newest."""
    directory = directory or settings.OPEN_DATA_DIR
    if name in DESCRIPTIONS:
        path = directory / name
        return (path, DESCRIPTIONS[name]) if path.is_file() else None
    found = {download.name: download for download in downloads(directory)}
    if name not in found:
        return None
    return directory / name, found[name].content_type


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
