from django.core.management.base import BaseCommand

from qlibrary.outbox import mail, stalled_tasks


class Command(BaseCommand):
    help = (
        "Send queued e-mails that the worker should have sent by now, and queue again the "
        "tasks a stopped worker left running (a safety net the scheduler runs; the worker "
        "sends and retries everything else)."
    )

    def handle(self, *args, **options):
        requeued, failed = stalled_tasks.recover()
        tried = mail.send_overdue()
        self.stdout.write(
            f"Overdue e-mails attempted: {tried}; stalled tasks queued again: {requeued}, "
            f"marked failed: {failed}"
        )
