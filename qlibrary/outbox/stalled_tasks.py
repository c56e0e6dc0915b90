"""Task rows a stopped worker left "RUNNING".

django-tasks-db marks a task running when a worker claims it, and only that worker ever marks it
finished: a worker killed in the middle of a task (a deploy, the out-of-memory killer) leaves
the row running for ever, and the task is never run again. The scheduler's sweep
(`send_queued_email`) finds them: a task running for longer than STALLED_AFTER is put back in
the queue once; one that stalls again is marked failed, for staff to see in the admin, rather
than kill worker after worker. Tasks are written to be run again safely (an e-mail is sent by
claiming its stored message, qlibrary/outbox/mail.py).
"""

import logging
from datetime import timedelta

from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)

# Far longer than any task runs: each exchange with an outside server has its own timeout.
STALLED_AFTER = timedelta(hours=1)
# Runs a task gets in all (its first, and one after a stall).
MAX_RUNS = 2


def recover(now=None):
    """Queue again each task left running for longer than STALLED_AFTER, or mark it failed
    if it has stalled before. Returns how many were queued again and how many failed."""
    now = now or timezone.now()
    stalled = DBTaskResult.objects.running().filter(started_at__lt=now - STALLED_AFTER)
    requeued = failed = 0
    for result in stalled.only("pk", "task_path", "started_at", "worker_ids"):
        # Only while the row is as it was read: its worker may finish it at this very moment.
        same_run = DBTaskResult.objects.filter(
            pk=result.pk, status=TaskResultStatus.RUNNING, started_at=result.started_at
        )
        if len(result.worker_ids) >= MAX_RUNS:
            failed += same_run.update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                exception_class_path="",
                traceback=(
                    f"The worker stopped while running this task, {len(result.worker_ids)} "
                    "times; it is not run again (found by send_queued_email)."
                ),
            )
            logger.error(
                "Task %s (%s) stalled %d times and is marked failed",
                result.pk,
                result.task_path,
                len(result.worker_ids),
            )
        elif same_run.update(status=TaskResultStatus.READY, started_at=None):
            requeued += 1
            logger.warning(
                "Task %s (%s) was left running since %s by a worker that stopped; queued again",
                result.pk,
                result.task_path,
                result.started_at.isoformat(),
            )
    return requeued, failed
