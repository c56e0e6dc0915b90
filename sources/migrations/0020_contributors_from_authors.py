"""Fill the bibliographic record from what sources held before it: contributors parsed from the
`authors` line, and the `organisation or publisher` field moved to where it belongs.

- `authors` ("Batalden P", "Jeremy Heimans, Henry Timms", "Dixon-Woods M, Martin G, et al.")
  becomes structured names (sources/evidence/contributors.py); "et al." sets `et_al`; a part that reads
  as a body ("The Health Foundation") becomes an organisation. `authors` is then rewritten from
  the names, so every source shows them one way ("Heimans J, Timms H").
- `organisation`: for a journal article or systematic review it is the journal (container
  title); for a source with no people named it is the author, as one organisation per name
  separated by semicolons, and for a report-like kind or a book also the publisher; otherwise
  it is the publisher.
- A starter source's `seeded_values` follow: a value the migration derived from fields that
  still held their seeded values counts as seeded, so seeding again can bring it up to date.
- The link checks' last answer: a check whose outcome was ok answered at its time.
"""

from django.db import migrations
from django.db.models import F

from sources.evidence.contributors import display_names, organisation, parse_name_list

JOURNAL_KINDS = {"journal_article", "systematic_review"}
# Kinds whose body, with no people named, both wrote and published the source.
PUBLISHED_BY_AUTHOR = {"report", "evaluation", "case_study", "methodology", "book"}
NEW_TEXT_FIELDS = (
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
    "language",
)


def record_from_old_fields(*, authors, organisation_name, kind):
    """The new fields' values for a source holding these old ones."""
    contributors, et_al = parse_name_list(authors)
    values = {"contributors": contributors, "et_al": et_al, "publisher": "", "container_title": ""}
    body = organisation_name.strip()
    if body:
        if kind in JOURNAL_KINDS:
            values["container_title"] = body
        elif not contributors:
            names = [name.strip() for name in body.split(";") if name.strip()]
            values["contributors"] = [organisation(name) for name in names]
            if kind in PUBLISHED_BY_AUTHOR:
                values["publisher"] = body
        else:
            values["publisher"] = body
    values["authors"] = display_names(values["contributors"], values["et_al"])
    return values


def forwards(apps, schema_editor):
    Source = apps.get_model("sources", "Source")
    changed = []
    for source in Source.objects.only(
        "pk", "authors", "organisation", "kind", "seeded_values"
    ).iterator():
        values = record_from_old_fields(
            authors=source.authors, organisation_name=source.organisation, kind=source.kind
        )
        seeded = dict(source.seeded_values or {})
        if seeded:
            untouched = (
                seeded.get("authors") == source.authors
                and seeded.get("organisation") == source.organisation
            )
            seeded.pop("authors", None)
            seeded.pop("organisation", None)
            if untouched:
                for field in ("contributors", "et_al", "publisher", "container_title"):
                    seeded[field] = values[field]
            for field in NEW_TEXT_FIELDS:
                seeded.setdefault(field, values.get(field, ""))
            for field in ("issued_month", "issued_day"):
                seeded.setdefault(field, None)
            source.seeded_values = seeded
        for field, value in values.items():
            setattr(source, field, value)
        changed.append(source)
    Source.objects.bulk_update(
        changed,
        ["contributors", "et_al", "authors", "publisher", "container_title", "seeded_values"],
        batch_size=500,
    )
    LinkHealth = apps.get_model("sources", "LinkHealth")
    LinkHealth.objects.filter(outcome="ok").update(answered_at=F("checked_at"))


def backwards(apps, schema_editor):
    """The old fields are still there (`organisation` untouched); `authors` keeps its new
    "Family Initials" form, which reads back the same way."""


class Migration(migrations.Migration):
    dependencies = [("sources", "0019_bibliographic_record")]

    operations = [migrations.RunPython(forwards, backwards)]
