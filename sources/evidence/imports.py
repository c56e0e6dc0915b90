"""Bringing a reading list in: a RIS or BibTeX file, or a list of DOIs, becomes proposals.

`scan()` counts a list's entries in one cheap pass and refuses it, as soon as a limit is passed,
before anything expensive is done. `read_entries()` then turns the text into numbered entries,
each either a set of Source fields or the reason it cannot be read; `preview()` sorts them into
what would be proposed, what the library or the queue already holds (by the same URL and DOI keys
the proposal form checks, or the same title) and what is malformed. A short list is previewed in
the request and `import_entries()` proposes every new entry in one transaction, on behalf of the
moderator: all of them or, on any error, none. A long one is an `ImportRun` that the task worker
carries out in batches (`run_import()`), while the moderator watches its progress.

Every step is linear in the text, and each entry's work is bounded: a field longer than
MAX_FIELD_LENGTH is not read, only the first MAX_KEYWORDS keywords are, and LaTeX is decoded in
the few BibTeX fields kept, only where they hold LaTeX.
"""

import logging
import re
from dataclasses import dataclass, field

import bibtexparser
import rispy
from bibtexparser import model as bibtex
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag

from sources.evidence import biblatex, ris
from sources.evidence.keys import DOI_PATTERN, normalize_doi, normalize_url
from sources.models import RESERVED_SLUGS, ImportRun, ModerationEvent, Source, TaggedSource
from sources.proposals.forms import MAX_TAG_LENGTH, MAX_TAGS
from sources.text import safe_to_show

Kind = Source.Kind

MAX_BYTES = 5 * 1024 * 1024
MAX_ENTRIES = 5000
# BibTeX's @string abbreviations, and its @comment and @preamble blocks: a reference manager
# writes a few; thousands only make the parser slow.
MAX_STRINGS = 500
MAX_OTHER_BLOCKS = 1000
# Characters in one field of an entry: twice the longest the library keeps (a summary), so that
# LaTeX markup fits. A longer abstract is cut to this length; any other longer field makes the
# entry malformed.
MAX_FIELD_LENGTH = 4000
# Keywords read from one entry, before duplicates are dropped and MAX_TAGS are kept.
MAX_KEYWORDS = 5 * MAX_TAGS
# Lines of one repeated RIS tag (authors, editors, addresses...) read from a record: more than
# a record keeps (200 names), so that the check still says why, and few enough that mapping
# them costs nothing.
MAX_REPEATED = 250
# A list this short (and a BibTeX file this small) is previewed in the request; a longer one is
# imported as background work.
IN_REQUEST_ENTRIES = 100
IN_REQUEST_BYTES = 100 * 1024
# Skipped entries whose reasons a finished run keeps to show.
MAX_SKIPPED_SHOWN = 1000
BATCH = 500
YEAR = re.compile(r"\b(\d{4})\b")
RIS_START = re.compile(r"^TY  -", re.MULTILINE)
RIS_END = re.compile(r"^ER  -.*$", re.MULTILINE)
# A line that starts a BibTeX block. Blanks before the "@" are spaces and tabs only: "\s*" there
# would let each of a million blank lines be tried against all the lines after it.
BIBTEX_START = re.compile(r"^[ \t]*@[ \t]*\w+\s*[{(]", re.MULTILINE)
# Anything the BibTeX parser might take for the start of a block, wherever it is on its line:
# counting more than it finds is safe, fewer would not be.
BIBTEX_BLOCK = re.compile(r"@\s*(\w+)\s*[{(]")

# bibtexparser warns in the log of every block it cannot read; the preview lists them for the
# moderator, so the log would only repeat what a file holds.
logging.getLogger("bibtexparser").setLevel(logging.ERROR)


# The one LaTeX decoder BibTeX entries are read with (sources/evidence/biblatex.py).
LATEX_DECODER = biblatex.LATEX_DECODER


class ImportRefused(Exception):
    """The text cannot be read at all; the message says why, for the moderator."""


@dataclass
class Entry:
    number: int
    fields: dict = field(default_factory=dict)
    tags: list = field(default_factory=list)
    problem: str = ""
    duplicate_of: str = ""
    # What the entry held that the record cannot (sources/evidence/ris.py,
    # sources/evidence/biblatex.py).
    dropped: list = field(default_factory=list)

    @property
    def title(self):
        return self.fields.get("title") or self.fields.get("doi") or f"Entry {self.number}"


@dataclass
class Preview:
    new: list
    duplicates: list
    malformed: list
    format: str

    @property
    def total(self):
        return len(self.new) + len(self.duplicates) + len(self.malformed)


@dataclass
class Scan:
    format: str
    entries: int
    size: int

    @property
    def fits_in_request(self):
        """Whether the list is short enough to be previewed and imported in the request."""
        # Decoding LaTeX is the one cost that grows with an entry's characters (some 40 µs for
        # each character of markup); RIS and DOIs are read at megabytes a second.
        short = self.format != "bibtex" or self.size <= IN_REQUEST_BYTES
        return short and self.entries <= IN_REQUEST_ENTRIES


# -- Reading ----------------------------------------------------------------------------------


def detect_format(text):
    if RIS_START.search(text):
        return "ris"
    if BIBTEX_START.search(text):
        return "bibtex"
    return "doi"


def scan(text, name=""):
    """The list's format and number of entries, in one pass that stops, refusing the list, at
    the first limit passed; `name`, the file's name, says which format a .ris or .bib file
    must hold."""
    size = len(text.encode())
    if size > MAX_BYTES:
        raise ImportRefused(f"The list is larger than {MAX_BYTES // (1024 * 1024)} MB.")
    format = detect_format(text)
    expected = {".ris": "ris", ".bib": "bibtex"}.get(name[-4:].lower())
    if expected and format != expected:
        start = "a line starting “TY  -”" if expected == "ris" else "a line starting “@”"
        raise ImportRefused(
            f"{name} holds no {'RIS' if expected == 'ris' else 'BibTeX'} records: each record "
            f"begins with {start}. Export the list again from your reference manager."
        )
    counter = {"ris": _count_ris, "bibtex": _count_bibtex, "doi": _count_dois}[format]
    entries = counter(text)
    if not entries:
        raise ImportRefused(
            "No entries were found. Upload a RIS (.ris) or BibTeX (.bib) file, or paste DOIs, "
            "one a line."
        )
    return Scan(format=format, entries=entries, size=size)


def _too_many_entries():
    return ImportRefused(
        f"The list holds more than {MAX_ENTRIES:,} entries; import at most {MAX_ENTRIES:,} at a "
        "time: split it in parts."
    )


def _count_ris(text):
    # A record is what lies between two "ER  -" lines, as _ris_entries() reads them.
    count = start = 0
    for end in RIS_END.finditer(text):
        count += bool(text[start : end.start()].strip())
        start = end.end()
        if count > MAX_ENTRIES:
            raise _too_many_entries()
    count += bool(text[start:].strip())
    if count > MAX_ENTRIES:
        raise _too_many_entries()
    return count


def _count_bibtex(text):
    entries = strings = others = 0
    for block in BIBTEX_BLOCK.finditer(text):
        kind = block.group(1).lower()
        if kind == "string":
            strings += 1
            if strings > MAX_STRINGS:
                raise ImportRefused(
                    f"The list defines more than {MAX_STRINGS:,} @string abbreviations; a "
                    "reference manager writes a few. Export the list again without them."
                )
        elif kind in ("comment", "preamble"):
            others += 1
            if others > MAX_OTHER_BLOCKS:
                raise ImportRefused(
                    f"The list holds more than {MAX_OTHER_BLOCKS:,} @comment or @preamble "
                    "blocks. Export the list again from your reference manager."
                )
        else:
            entries += 1
            if entries > MAX_ENTRIES:
                raise _too_many_entries()
    return entries


def _count_dois(text):
    count = 0
    for line in text.splitlines():
        count += bool(line.strip())
        if count > MAX_ENTRIES:
            raise _too_many_entries()
    return count


def read_entries(text, name=""):
    """(format, entries) from the text of a RIS or BibTeX file or a list of DOIs, once `scan()`
    has found it within the limits."""
    format = scan(text, name).format
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    entries = {"ris": _ris_entries, "bibtex": _bibtex_entries, "doi": _doi_entries}[format](text)
    return format, entries


def _ris_entries(text):
    # Each record is read on its own, so one broken record is listed, not the whole file lost.
    entries = []
    for record in RIS_END.split(text):
        if not record.strip():
            continue
        entry = Entry(number=len(entries) + 1)
        entries.append(entry)
        try:
            [data] = rispy.loads(record + "\nER  - \n")
        except Exception as error:  # rispy raises several kinds on a broken record
            entry.problem = f"it is not a readable RIS record ({error})."
            continue
        data = {key: _first(value, MAX_REPEATED) for key, value in data.items()}
        read = ris.record_from_ris(data)
        entry.fields, entry.dropped = read.fields, read.dropped
        entry.tags = read.keywords[:MAX_KEYWORDS]
    return entries


def _first(value, count):
    return value[:count] if isinstance(value, list) else value


def _bibtex_entries(text):
    entries = []
    for block in bibtexparser.parse_string(text).blocks:
        if isinstance(block, bibtex.ParsingFailedBlock):
            entry = Entry(number=len(entries) + 1)
            entries.append(entry)
            error = getattr(block, "error", None)
            entry.problem = f"it is not a readable BibTeX entry ({error or 'unreadable'})."
        elif isinstance(block, bibtex.Entry):
            entry = Entry(number=len(entries) + 1)
            entries.append(entry)
            _read_bibtex_entry(entry, block)
    return entries


# The BibTeX fields read, by the name a moderator is told; every other field is left unread.
BIBTEX_FIELDS = {
    "title": "title",
    "author": "authors",
    "institution": "institution",
    "publisher": "publisher",
    "organization": "organisation",
    "year": "year",
    "date": "date",
    "doi": "DOI",
    "url": "URL",
    "type": "type",
    "abstract": "abstract",
    "keywords": "keywords",
}


def _read_bibtex_entry(entry, block):
    """Fill the entry from the BibTeX fields the library keeps, LaTeX decoded but for the
    addresses; an overlong field makes it malformed before any decoding."""
    value = {}
    for field_ in block.fields:
        key = field_.key.lower()
        text = field_.value if isinstance(field_.value, str) else str(field_.value)
        if len(text) > MAX_FIELD_LENGTH and key != "abstract" and key in biblatex.READ_FIELDS:
            entry.problem = (
                f"its {BIBTEX_FIELDS.get(key, key)} is longer than {MAX_FIELD_LENGTH:,} characters."
            )
            return
        value[key] = text[:MAX_FIELD_LENGTH]
    read = biblatex.record_from_bibtex(block.entry_type, value)
    entry.fields, entry.dropped = read.fields, read.dropped
    entry.tags = read.keywords[:MAX_KEYWORDS]


def _doi_entries(text):
    entries = []
    for line in text.split("\n"):
        if not line.strip():
            continue
        entry = Entry(number=len(entries) + 1)
        entries.append(entry)
        doi = normalize_doi(line)
        if not DOI_PATTERN.match(doi):
            entry.problem = (
                f"“{line.strip()[:80]}” is not a DOI (a DOI starts with 10., e.g. "
                "10.1136/bmjqs-2015-004315)."
            )
            continue
        # The DOI stands in for the title until a moderator fills the details in (the
        # review page says so); the summary stays empty, so approval is refused until then.
        entry.fields = {"title": doi, "doi": doi, "kind": Kind.OTHER}
    return entries


# -- Checking ---------------------------------------------------------------------------------


def _clean(entry):
    """Turn the read fields into valid Source values, or set the entry's problem."""
    for key, value in entry.fields.items():
        if key not in ("summary", "contributors") and len(str(value)) > MAX_FIELD_LENGTH:
            entry.problem = f"its {key} is longer than {MAX_FIELD_LENGTH:,} characters."
            return
    entry.fields["summary"] = str(entry.fields.get("summary") or "")[:MAX_FIELD_LENGTH]
    data = {
        key: " ".join(safe_to_show(str(value), multiline=False).split())
        for key, value in entry.fields.items()
        if isinstance(value, str)
    }
    # The record's names, "et al." and month and day, as the readers give them.
    data |= {
        key: value
        for key, value in entry.fields.items()
        if key in ("et_al", "issued_month", "issued_day") and value is not None
    }
    data["contributors"] = [
        {part: " ".join(safe_to_show(text, multiline=False).split()) for part, text in name.items()}
        for name in entry.fields.get("contributors") or []
    ]
    summary = safe_to_show(entry.fields.get("summary") or "")
    # Left empty when the file has none: approval is refused until a moderator writes one.
    data["summary"] = summary.strip()[:2000]
    year = str(entry.fields.get("year") or "")
    if year and not YEAR.search(year):
        entry.problem = f"its year “{year[:80]}” is not a year."
        return
    year = int(YEAR.search(year).group(1)) if year else None
    if not data.get("title"):
        entry.problem = "it has no title."
        return
    if data.get("doi"):
        data["doi"] = normalize_doi(data["doi"])
        if not DOI_PATTERN.match(data["doi"]):
            entry.problem = f"its DOI “{data['doi'][:80]}” is not a DOI."
            return
    source = Source(**data, year=year, stance=Source.Stance.REINFORCES)
    try:
        # The summary may be empty (the file has none): approval is refused until one is written.
        source.clean_fields(exclude=["slug", "stance", "summary"])
    except ValidationError as error:
        reasons = "; ".join(
            f"{Source._meta.get_field(name).verbose_name}: {' '.join(messages)}"
            for name, messages in error.message_dict.items()
        )
        entry.problem = f"{reasons.rstrip('.')}."
        return
    entry.fields = {**data, "year": source.year}
    entry.tags = _tags(entry.tags)


def _tags(names):
    """At most MAX_TAGS distinct tags from the first MAX_KEYWORDS keywords, in their order."""
    tags = {}
    for name in names[:MAX_KEYWORDS]:
        # Cut before cleaning so that a huge keyword costs nothing; the cleaning only removes.
        name = safe_to_show(str(name)[: MAX_TAG_LENGTH * 4], multiline=False)
        name = " ".join(name.split()).lower()[:MAX_TAG_LENGTH]
        if name:
            tags[name] = None
            if len(tags) == MAX_TAGS:
                break
    return list(tags)


def preview(entries, format="ris"):
    """Sort entries into new ones, duplicates (of the library, the queue or an earlier entry)
    and malformed ones, with one query for the keys and titles the library already holds."""
    for entry in entries:
        if not entry.problem:
            _clean(entry)
    readable = [entry for entry in entries if not entry.problem]
    for entry in readable:
        entry.fields["url_key"] = normalize_url(entry.fields.get("url", ""))
        entry.fields["doi_key"] = normalize_doi(entry.fields.get("doi", ""))
    holders = _live_holders(readable)
    seen = {}
    for entry in readable:
        keys = _keys(entry)
        held = next((holders[key] for key in keys if key in holders), None)
        earlier = next((seen[key] for key in keys if key in seen), None)
        if held:
            entry.duplicate_of = f"“{held}”, already in the library or the queue"
        elif earlier:
            entry.duplicate_of = f"entry {earlier.number} of this list, “{earlier.title}”"
        else:
            seen.update(dict.fromkeys(keys, entry))
    return Preview(
        new=[entry for entry in readable if not entry.duplicate_of],
        duplicates=[entry for entry in readable if entry.duplicate_of],
        malformed=[entry for entry in entries if entry.problem],
        format=format,
    )


def _keys(entry):
    """The keys that make two sources the same: URL, DOI and, lacking both, the title."""
    keys = []
    if entry.fields["url_key"]:
        keys.append(("url", entry.fields["url_key"]))
    if entry.fields["doi_key"]:
        keys.append(("doi", entry.fields["doi_key"]))
    if not keys:
        keys.append(("title", entry.fields["title"].lower()))
    return keys


def _live_holders(entries):
    """{key: title} for the live sources holding any key of these entries."""
    url_keys = {e.fields["url_key"] for e in entries} - {""}
    doi_keys = {e.fields["doi_key"] for e in entries} - {""}
    titles = {
        e.fields["title"].lower()
        for e in entries
        if not (e.fields["url_key"] or e.fields["doi_key"])
    }
    holders = {}
    for start in range(0, max(len(url_keys), len(doi_keys), len(titles)), BATCH):
        batch = slice(start, start + BATCH)
        found = (
            Source.objects.live()
            .annotate(lower_title=Lower("title"))
            .filter(
                Q(url_key__in=sorted(url_keys)[batch])
                | Q(doi_key__in=sorted(doi_keys)[batch])
                | Q(lower_title__in=sorted(titles)[batch])
            )
            .values_list("title", "url_key", "doi_key", "lower_title")
        )
        for title, url_key, doi_key, lower_title in found:
            holders[("url", url_key)] = title
            holders[("doi", doi_key)] = title
            holders[("title", lower_title)] = title
    holders.pop(("url", ""), None)
    holders.pop(("doi", ""), None)
    return holders


# -- Importing --------------------------------------------------------------------------------


@dataclass
class Result:
    created: list
    preview: Preview


def import_entries(*, text, moderator, themes, stance, label="a reference list", name=""):
    """Propose every new entry of the text on the moderator's behalf, in one transaction.

    Duplicates are checked again inside the transaction (the queue may have moved since the
    preview); if another proposal takes one of the addresses meanwhile, nothing is imported.
    """
    format, entries = read_entries(text, name)
    with transaction.atomic():
        checked = preview(entries, format)
        try:
            created = _create(
                checked.new, moderator=moderator, themes=themes, stance=stance, label=label
            )
        except IntegrityError as error:
            raise ImportRefused(
                "Nothing was imported: another source with one of these addresses or DOIs was "
                "added while you were importing. Preview the list again."
            ) from error
    return Result(created=created, preview=checked)


def _create(entries, *, moderator, themes, stance, label):
    taken = set(Source.objects.values_list("slug", flat=True)) | RESERVED_SLUGS
    numbers = {}
    sources = []
    for entry in entries:
        source = Source(
            **entry.fields,
            stance=stance,
            status=Source.Status.PROPOSED,
            proposer=moderator,
            imported=True,
        )
        source.slug = _free_slug(source.title, taken, numbers)
        sources.append(source)
    created = Source.objects.bulk_create(sources, batch_size=BATCH)
    Through = Source.themes.through
    Through.objects.bulk_create(
        [Through(source_id=source.pk, theme_id=theme.pk) for source in created for theme in themes],
        batch_size=BATCH,
    )
    _tag(created, [entry.tags for entry in entries])
    ModerationEvent.objects.bulk_create(
        [
            ModerationEvent(
                source=source,
                actor=moderator,
                action=ModerationEvent.Action.SUBMIT,
                to_status=Source.Status.PROPOSED,
                reason=f"Imported from {label}.",
            )
            for source in created
        ],
        batch_size=BATCH,
    )
    Source.objects.filter(pk__in=[source.pk for source in created]).refresh_search_vectors()
    return created


def _free_slug(title, taken, numbers):
    """A slug from the title that is not taken; `numbers` remembers, for each base, the number
    to try next, so that a thousand entries of one title cost a thousand checks, not a million."""
    base = slugify(title)[:100].strip("-") or "source"
    slug, number = base, numbers.get(base, 2)
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    numbers[base] = number
    taken.add(slug)
    return slug


def _tag(sources, tag_lists):
    names = {name for names in tag_lists for name in names}
    if not names:
        return
    existing = Tag.objects.annotate(lower_name=Lower("name")).filter(lower_name__in=names)
    tags = {tag.lower_name: tag for tag in existing}
    for name in sorted(names - tags.keys()):
        tags[name] = Tag.objects.create(name=name)
    TaggedSource.objects.bulk_create(
        [
            TaggedSource(content_object=source, tag=tags[name])
            for source, names in zip(sources, tag_lists, strict=True)
            for name in names
        ],
        batch_size=BATCH,
    )


# -- Import runs ------------------------------------------------------------------------------


def start_run(*, moderator, text, label, name, themes, stance, scanned):
    """The moderator's new ImportRun holding the list: previewed, to be confirmed in the next
    request, when the list is short; queued for the task worker when it is long. Their earlier
    previews that were never confirmed go."""
    ImportRun.objects.filter(moderator=moderator, status=ImportRun.Status.PREVIEWED).delete()
    status = ImportRun.Status.PREVIEWED if scanned.fits_in_request else ImportRun.Status.QUEUED
    run = ImportRun.objects.create(
        moderator=moderator,
        text=text,
        label=label,
        name=name,
        stance=stance,
        total=scanned.entries,
        status=status,
    )
    run.themes.set(themes)
    return run


def import_previewed(*, run):
    """Import a previewed run's list now, in one transaction (`import_entries()`), and record
    the outcome on the run."""
    result = import_entries(
        text=run.text,
        moderator=run.moderator,
        themes=list(run.themes.all()),
        stance=run.stance,
        label=run.label,
        name=run.name,
    )
    checked = result.preview
    run.imported = len(result.created)
    run.total = run.done = checked.total
    _record_skipped(run, checked.duplicates + checked.malformed)
    _finish(run, ImportRun.Status.DONE)
    return result


def run_import(run_id):
    """Carry a queued run out: read and check its list, then propose the new entries BATCH at
    a time, each batch in a transaction of its own after which the run's progress is saved.

    A batch whose addresses another proposal took meanwhile is imported without them; if the
    import stops, the batches before stay imported and importing the list again skips them.
    """
    queued = ImportRun.objects.filter(pk=run_id, status=ImportRun.Status.QUEUED)
    if not queued.update(status=ImportRun.Status.RUNNING, updated_at=timezone.now()):
        return  # another worker has it, or the run is gone
    run = ImportRun.objects.select_related("moderator").get(pk=run_id)
    try:
        format, entries = read_entries(run.text, run.name)
        checked = preview(entries, format)
        run.total = checked.total
        run.done = len(checked.duplicates) + len(checked.malformed)
        _record_skipped(run, checked.duplicates + checked.malformed)
        run.save(update_fields=PROGRESS_FIELDS)
        themes = list(run.themes.all())
        for start in range(0, len(checked.new), BATCH):
            batch = checked.new[start : start + BATCH]
            with transaction.atomic():
                fresh, taken = _still_new(batch)
                created = _create(
                    fresh,
                    moderator=run.moderator,
                    themes=themes,
                    stance=run.stance,
                    label=run.label,
                )
                run.imported += len(created)
                run.done += len(batch)
                _record_skipped(run, taken)
                run.save(update_fields=PROGRESS_FIELDS)
    except ImportRefused as error:
        _finish(run, ImportRun.Status.FAILED, error=str(error))
    except IntegrityError:
        _finish(
            run,
            ImportRun.Status.FAILED,
            error=(
                "The import stopped: another source with one of these addresses or DOIs was added "
                "while it ran. Import the list again: what is already imported is skipped."
            ),
        )
    except Exception:
        _finish(
            run,
            ImportRun.Status.FAILED,
            error="The import stopped on an unexpected error. Import the list again: what is "
            "already imported is skipped.",
        )
        raise
    else:
        _finish(run, ImportRun.Status.DONE)


PROGRESS_FIELDS = ["total", "done", "imported", "duplicates", "malformed", "skipped", "updated_at"]


def _still_new(entries):
    """(fresh, taken): the entries no live source holds now, and those one has come to hold
    since the list was checked, marked as duplicates."""
    holders = _live_holders(entries)
    fresh, taken = [], []
    for entry in entries:
        held = next((holders[key] for key in _keys(entry) if key in holders), None)
        if held:
            entry.duplicate_of = f"“{held}”, already in the library or the queue"
            taken.append(entry)
        else:
            fresh.append(entry)
    return fresh, taken


def _record_skipped(run, entries):
    """Count the skipped entries on the run and keep the first MAX_SKIPPED_SHOWN reasons."""
    for entry in entries:
        if entry.problem:
            run.malformed += 1
            reason = entry.problem
        else:
            run.duplicates += 1
            reason = f"the same source as {entry.duplicate_of}"
        if len(run.skipped) < MAX_SKIPPED_SHOWN:
            run.skipped.append([entry.number, entry.title[:300], reason[:500]])


def _finish(run, status, *, error=""):
    run.status, run.error, run.text = status, error, ""
    run.finished_at = timezone.now()
    run.save()
