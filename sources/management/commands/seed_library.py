"""Load the starter library (sources/starter.py) as approved sources and keep its facts current.

A starter source that is missing is added. One that is already here gets the bibliographic facts
the starter library now knows, field by field, but only where the field still holds the value the
starter library last wrote into it (`Source.seeded_values`): a field a moderator has edited since
is never overwritten. Running the command again changes nothing.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from sources.models import Source, Theme
from sources.proposals.duplicates import live_duplicate
from sources.proposals.reviews import default_review_by
from sources.starter import SEEDED_FIELDS, STARTER_SOURCES, seeded_values

KEY_FIELDS = {"url", "doi"}
# Fields written through Source.set_contributors(), which derives `authors` from them.
CONTRIBUTOR_FIELDS = {"contributors", "et_al"}


def _plural(count):
    return "source" if count == 1 else "sources"


class Command(BaseCommand):
    help = (
        "Add the missing starter sources as approved, and bring the facts of those already here "
        "up to date wherever a moderator has not edited them."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        theme_slugs = {slug for entry in STARTER_SOURCES for slug in entry["themes"]}
        themes = Theme.objects.in_bulk(theme_slugs, field_name="slug")
        if missing := sorted(theme_slugs - themes.keys()):
            raise CommandError(
                f"Theme(s) missing: {', '.join(missing)}. Restore them (the data migration "
                "sources 0002_create_themes creates them) before seeding the library."
            )

        existing = Source.objects.in_bulk([e["slug"] for e in STARTER_SOURCES], field_name="slug")
        now = timezone.now()
        added, updated = [], []
        for entry in STARTER_SOURCES:
            source = existing.get(entry["slug"])
            if source is None:
                added.append(self._add(entry, themes, now))
            elif self._update(source, entry):
                updated.append(source.pk)
        Source.objects.filter(pk__in=added + updated).refresh_search_vectors()
        self.stdout.write(self.style.SUCCESS(f"Starter library: {self._summary(added, updated)}"))

    def _add(self, entry, themes, now):
        excluded = {"themes", "tags", *CONTRIBUTOR_FIELDS}
        data = {k: v for k, v in entry.items() if k not in excluded}
        source = Source(
            **data,
            status=Source.Status.APPROVED,
            approved_at=now,
            review_by=default_review_by(data["kind"]),
            seeded_values=seeded_values(entry),
        )
        source.set_contributors(entry.get("contributors", []), et_al=entry.get("et_al", False))
        source.assign_keys()
        source.full_clean()
        source.save()
        source.themes.set([themes[slug] for slug in entry["themes"]])
        source.tags.set(entry["tags"])
        return source.pk

    def _update(self, source, entry):
        """Write the starter facts into the fields that still hold their seeded value."""
        seeded = dict(source.seeded_values)
        values = seeded_values(entry)
        changed = [
            field
            for field in SEEDED_FIELDS
            if field in seeded
            and getattr(source, field) == seeded[field]
            and getattr(source, field) != values[field]
        ]
        for field in changed:
            if field not in CONTRIBUTOR_FIELDS:
                setattr(source, field, values[field])
        if CONTRIBUTOR_FIELDS & set(changed):
            source.set_contributors(
                values["contributors"] if "contributors" in changed else source.contributors,
                et_al=values["et_al"] if "et_al" in changed else source.et_al,
            )
        if KEY_FIELDS & set(changed):
            source.assign_keys()
            clash = live_duplicate(
                url_key=source.url_key if "url" in changed else "",
                doi_key=source.doi_key if "doi" in changed else "",
                exclude=source,
            )
            if clash is not None:
                # Another live source holds the address: keep this one's as it was.
                for field in KEY_FIELDS & set(changed):
                    setattr(source, field, seeded[field])
                    changed.remove(field)
                source.assign_keys()
                self.stderr.write(
                    f"{source.slug}: its address or DOI is already held by “{clash.title}” "
                    f"({clash.slug}); left as it was."
                )
        if not changed:
            return False
        source.seeded_values = {**seeded, **{field: values[field] for field in changed}}
        source.full_clean()
        derived = ["authors"] if CONTRIBUTOR_FIELDS & set(changed) else []
        source.save(
            update_fields=[*changed, *derived, "url_key", "doi_key", "seeded_values", "updated_at"]
        )
        return True

    def _summary(self, added, updated):
        total = len(STARTER_SOURCES)
        if not added and not updated:
            return f"nothing to add (all {total} starter sources are already here)."
        parts = []
        if added:
            parts.append(f"{len(added)} {_plural(len(added))} added")
        if updated:
            parts.append(f"{len(updated)} {_plural(len(updated))} brought up to date")
        untouched = total - len(added)
        already = f" ({untouched} already here)" if added and untouched else ""
        return f"{', '.join(parts)}{already}."
