"""Measure the reading-list exports and imports at size.

    .venv/bin/python bench/reading_lists.py                       # a fresh SQLite file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qlibrary_lists \
        .venv/bin/python bench/reading_lists.py                   # PostgreSQL

It fills the database with --sources approved sources (10,000 by default), exports the whole
library in each format as a reader would download it (streamed, counting queries and the
largest piece held in memory at once), then imports a RIS file of --entries new entries (1,000
by default) as a moderator would: the preview, then the confirmed import. The targets: a full
export streams in a bounded number of queries, and 1,000 entries import in under a minute.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=10_000)
    parser.add_argument("--entries", type=int, default=1_000)
    return parser.parse_args()


def setup():
    if "DATABASE_URL" not in os.environ:
        folder = tempfile.mkdtemp(prefix="qlibrary-bench-")
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qlibrary.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)


def fill(count):
    from django.utils import timezone

    from sources.models import Source, Theme

    Source.objects.filter(slug__startswith="bench-").delete()
    now = timezone.now()
    sources = Source.objects.bulk_create(
        [
            Source(
                title=f"Bench report {number} on spreading improvement",
                slug=f"bench-{number}",
                url=f"https://bench.example.org/reports/{number}",
                url_key=f"bench.example.org/reports/{number}",
                authors="Dixon-Woods M, Martin G, le May A",
                organisation="The Health Foundation",
                year=2000 + number % 25,
                kind=Source.Kind.REPORT,
                stance=Source.Stance.REINFORCES,
                summary="Why it matters.",
                status=Source.Status.APPROVED,
                approved_at=now,
            )
            for number in range(count)
        ],
        batch_size=1000,
    )
    theme = Theme.objects.first()
    Through = Source.themes.through
    Through.objects.bulk_create(
        [Through(source_id=source.pk, theme_id=theme.pk) for source in sources], batch_size=1000
    )
    return Source.objects.approved().count()


def export(format):
    from django.db import connection
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext

    from sources.evidence.export_views import library_export

    request = RequestFactory().get(f"/sources/export/{format}/")
    started, cpu = time.perf_counter(), time.process_time()
    with CaptureQueriesContext(connection) as queries:
        response = library_export(request, format)
        size = largest = 0
        for piece in response.streaming_content:
            size += len(piece)
            largest = max(largest, len(piece))
    return time.perf_counter() - started, time.process_time() - cpu, len(queries), size, largest


def ris_file(count):
    return "".join(
        f"TY  - JOUR\nTI  - Imported study {number} of quality improvement\n"
        f"AU  - Author, A.\nAU  - Second, B. C.\nPY  - 2019\nDO  - 10.9999/bench.{number}\n"
        f"UR  - https://bench.example.org/imported/{number}\nKW  - spread\nKW  - networks\n"
        "ER  - \n"
        for number in range(count)
    )


def import_list(count):
    from qlibrary.models import User
    from sources.evidence import imports
    from sources.models import Source, Theme

    Source.objects.filter(doi__startswith="10.9999/bench.").delete()
    moderator, _ = User.objects.get_or_create(username="bench-moderator")
    text = ris_file(count)
    started = time.perf_counter()
    format, entries = imports.read_entries(text)
    checked = imports.preview(entries, format)
    previewed = time.perf_counter() - started
    started = time.perf_counter()
    result = imports.import_entries(
        text=text,
        moderator=moderator,
        themes=list(Theme.objects.all()[:1]),
        stance=Source.Stance.REINFORCES,
        label="bench.ris",
    )
    imported = time.perf_counter() - started
    return len(checked.new), previewed, len(result.created), imported


def main():
    args = parse_args()
    setup()
    from django.db import connection

    print(f"database: {connection.vendor}")
    print(f"library: {fill(args.sources)} approved sources")
    for format in ("ris", "bibtex", "csl-json"):
        seconds, cpu, queries, size, largest = export(format)
        print(
            f"export {format:8}: {seconds:6.2f} s ({cpu:.2f} s of CPU), {queries} queries, "
            f"{size / 1e6:.1f} MB streamed, largest piece {largest / 1e3:.0f} kB"
        )
    new, previewed, created, imported = import_list(args.entries)
    print(f"import preview: {new} new entries in {previewed:.2f} s")
    print(f"import: {created} proposals in {imported:.2f} s")


if __name__ == "__main__":
    main()
