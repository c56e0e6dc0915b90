"""Render and store the citations of every source in the library whose stored ones are missing
or of an older record: after a bulk load (the benchmark's demo data, an import run by hand), as
approving or editing each source would have."""

from django.core.management.base import BaseCommand

from sources.evidence.citations import store_citations
from sources.models import Source

BATCH = 200


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args, **options):
        ids = list(Source.objects.approved().order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), BATCH):
            store_citations(ids[start : start + BATCH])
            done = min(start + BATCH, len(ids))
            if done % 1000 == 0 or done == len(ids):
                self.stdout.write(f"  citations: {done}/{len(ids)}")
        self.stdout.write(self.style.SUCCESS(f"Citations stored for {len(ids)} sources."))
