from django.core.management.base import BaseCommand

from sources.library import following


class Command(BaseCommand):
    help = (
        "Queue the weekly digest for every member who follows something, wants the digest and "
        "had none for a week (safe to run often: each member gets one a week at most)."
    )

    def handle(self, *args, **options):
        queued = following.send_digests()
        self.stdout.write(f"Digests queued: {queued}")
