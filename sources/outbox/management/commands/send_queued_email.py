from django.core.management.base import BaseCommand

from sources.outbox import mail


class Command(BaseCommand):
    help = (
        "Send queued e-mails that the worker should have sent by now (a safety net the "
        "scheduler runs; the worker sends and retries everything else)."
    )

    def handle(self, *args, **options):
        tried = mail.send_overdue()
        self.stdout.write(f"Overdue e-mails attempted: {tried}")
