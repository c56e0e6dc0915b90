from django.core.management.base import BaseCommand

from sources.opendata import open_data


class Command(BaseCommand):
    help = "Write today's full download of the library (JSON, CSV and RIS, CC BY 4.0) for /data/."

    def handle(self, *args, **options):
        def progress(number):
            self.stdout.write(f"  {number} sources written")

        for path in open_data.write(progress=progress):
            self.stdout.write(f"Wrote {path.name} ({path.stat().st_size} bytes).")
        self.stdout.write(self.style.SUCCESS(f"Open data under {open_data.LICENCE}: done."))
