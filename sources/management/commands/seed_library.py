"""Load the starter library (sources/starter.py) as approved sources, skipping any already here."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from sources.models import Source, Theme
from sources.reviews import default_review_by
from sources.starter import STARTER_SOURCES


class Command(BaseCommand):
    help = "Add the starter sources as approved; any already here (same slug) are left untouched."

    @transaction.atomic
    def handle(self, *args, **options):
        theme_slugs = {slug for entry in STARTER_SOURCES for slug in entry["themes"]}
        themes = Theme.objects.in_bulk(theme_slugs, field_name="slug")
        if missing := sorted(theme_slugs - themes.keys()):
            raise CommandError(
                f"Theme(s) missing: {', '.join(missing)}. Restore them (the data migration "
                "sources 0002_create_themes creates them) before seeding the library."
            )

        existing = set(Source.objects.values_list("slug", flat=True))
        now = timezone.now()
        added = []
        for entry in STARTER_SOURCES:
            if entry["slug"] in existing:
                continue
            data = {k: v for k, v in entry.items() if k not in ("themes", "tags")}
            source = Source(
                **data,
                status=Source.Status.APPROVED,
                approved_at=now,
                review_by=default_review_by(data["kind"]),
            )
            source.assign_keys()
            source.full_clean()
            source.save()
            source.themes.set([themes[slug] for slug in entry["themes"]])
            source.tags.set(entry["tags"])
            added.append(source.pk)
        Source.objects.filter(pk__in=added).refresh_search_vectors()

        total, count = len(STARTER_SOURCES), len(added)
        if not count:
            message = f"nothing to add (all {total} starter sources are already here)."
        else:
            noun = "source" if count == 1 else "sources"
            already = f" ({total - count} already here)" if count < total else ""
            message = f"{count} {noun} added{already}."
        self.stdout.write(self.style.SUCCESS(f"Starter library: {message}"))
