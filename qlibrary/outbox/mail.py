"""Durable e-mail: every message the site sends is stored first, then delivered by the task
worker, retried with growing delays when the mail server fails, and kept for staff when it
still fails after the last attempt. Nothing about a failed send is silent: each failed attempt
and each message given up on is logged with its kind.

No database transaction is open and no row locked while the mail server is talked to (each
exchange bounded by EMAIL_TIMEOUT): a sender claims a message, commits, sends, then records the
outcome. Delivery is at least once: a message is never lost, and is sent again when its sender
stopped before recording it (`deliver`).
"""

import logging
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import OutgoingEmail

logger = logging.getLogger(__name__)

# The scheduler's sweep leaves a message to the worker for this long after it falls due, so the
# two do not race for it; after that the worker has evidently missed it (a lost task, a crash).
SWEEP_GRACE = timedelta(minutes=5)


def queue(*, kind, subject, body, to, from_email="", html_body="", headers=None):
    """Store one message and have the worker send it once the current transaction commits.

    Returns the stored message, or None when there is no recipient.
    """
    recipients = [address for address in to if address]
    if not recipients:
        return None
    email = OutgoingEmail.objects.create(
        kind=kind,
        subject=" ".join(subject.splitlines())[:300],
        body=body,
        html_body=html_body,
        from_email=from_email or "",
        to=recipients,
        headers=headers or {},
        next_attempt_at=timezone.now(),
    )
    transaction.on_commit(partial(_enqueue, email.pk), robust=True)
    return email


def queue_message(message, *, kind):
    """Queue an already rendered EmailMessage (allauth's account e-mails)."""
    html_body = ""
    if message.content_subtype == "html":
        html_body, body = message.body, ""
    else:
        body = message.body
        for content, mimetype in getattr(message, "alternatives", []):
            if mimetype == "text/html":
                html_body = content
    return queue(
        kind=kind,
        subject=message.subject,
        body=body,
        html_body=html_body,
        from_email=message.from_email,
        to=list(message.to),
        headers=dict(message.extra_headers),
    )


def retry_delay(attempts):
    """How long to wait after the given number of failed attempts: tripling each time."""
    return timedelta(seconds=settings.EMAIL_RETRY_DELAY * 3 ** (attempts - 1))


def claim_lapse():
    """How long a sender holds a message it claimed: far longer than a send can take, each
    exchange with the mail server being bounded by EMAIL_TIMEOUT (5 minutes at its default)."""
    return timedelta(seconds=settings.EMAIL_TIMEOUT * 15)


def deliver(email_id):
    """Make one attempt at sending a stored message, if it is waiting and due (or its last
    sender's claim has lapsed). Returns the message's status afterwards.

    The message is claimed in one committed UPDATE, sent with no transaction open and no row
    locked, and the outcome recorded in another UPDATE, only while the claim is still this
    one's: so a mail server that hangs holds up this attempt alone, never the sweep or another
    message. A failure schedules the next attempt, or after EMAIL_MAX_ATTEMPTS marks the
    message failed for staff to see and retry. A sender that stops between the mail server's
    acceptance and the record leaves a claim that lapses, and the message is sent again:
    delivery is at least once.
    """
    now = timezone.now()
    claimed = (
        OutgoingEmail.objects.due(now)
        .filter(pk=email_id)
        .update(
            status=OutgoingEmail.Status.SENDING,
            attempts=F("attempts") + 1,
            next_attempt_at=now + claim_lapse(),
        )
    )
    email = OutgoingEmail.objects.filter(pk=email_id).first()
    if email is None:
        return None
    if not claimed:
        return email.status  # sent, failed, not due yet, or being sent by another sender
    try:
        _as_message(email).send(fail_silently=False)
    except Exception as error:  # noqa: BLE001 (any failure of the server or the message)
        outcome = _failure(email, error, timezone.now())
    else:
        outcome = {
            "status": OutgoingEmail.Status.SENT,
            "sent_at": timezone.now(),
            "next_attempt_at": None,
            "last_error": "",
        }
    recorded = OutgoingEmail.objects.filter(
        pk=email.pk, status=OutgoingEmail.Status.SENDING, attempts=email.attempts
    ).update(**outcome)
    if not recorded:
        # The claim lapsed and another sender took the message over, or it was erased.
        logger.warning(
            "E-mail %s: the outcome of attempt %d is not recorded: the message was taken over "
            "after its claim lapsed, or deleted",
            email.pk,
            email.attempts,
        )
        return OutgoingEmail.objects.filter(pk=email.pk).values_list("status", flat=True).first()
    if outcome["status"] == OutgoingEmail.Status.PENDING:
        transaction.on_commit(
            partial(_enqueue, email.pk, run_after=outcome["next_attempt_at"]), robust=True
        )
    return outcome["status"]


def send_overdue(now=None):
    """Attempt every message the worker should have sent by now; returns how many were tried.

    The scheduler runs this as a safety net, so a message whose task was lost is still sent.
    """
    now = now or timezone.now()
    overdue = OutgoingEmail.objects.due(now - SWEEP_GRACE).values_list("pk", flat=True)
    tried = 0
    for email_id in list(overdue):
        deliver(email_id)
        tried += 1
    return tried


def retry(emails):
    """Give failed messages a fresh set of attempts (the admin's "retry" action)."""
    now = timezone.now()
    ids = list(emails.filter(status=OutgoingEmail.Status.FAILED).values_list("pk", flat=True))
    OutgoingEmail.objects.filter(pk__in=ids).update(
        status=OutgoingEmail.Status.PENDING, attempts=0, next_attempt_at=now
    )
    for email_id in ids:
        transaction.on_commit(partial(_enqueue, email_id), robust=True)
    return len(ids)


def _failure(email, error, now):
    """The fields recording a failed attempt: the next one, or the message failed for good."""
    last_error = f"{type(error).__name__}: {error}"[:2000]
    if email.attempts >= settings.EMAIL_MAX_ATTEMPTS:
        logger.error(
            "E-mail %s (kind %s, to %d recipient(s)) FAILED after %d attempts and is kept for "
            "staff to retry: %s",
            email.pk,
            email.kind,
            len(email.to),
            email.attempts,
            last_error,
        )
        return {
            "status": OutgoingEmail.Status.FAILED,
            "next_attempt_at": None,
            "last_error": last_error,
        }
    next_attempt_at = now + retry_delay(email.attempts)
    logger.warning(
        "E-mail %s (kind %s, to %d recipient(s)) failed on attempt %d of %d, next try at %s: %s",
        email.pk,
        email.kind,
        len(email.to),
        email.attempts,
        settings.EMAIL_MAX_ATTEMPTS,
        next_attempt_at.isoformat(),
        last_error,
    )
    return {
        "status": OutgoingEmail.Status.PENDING,
        "next_attempt_at": next_attempt_at,
        "last_error": last_error,
    }


def _as_message(email):
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body or email.html_body,
        from_email=email.from_email or None,
        to=email.to,
        headers=email.headers,
    )
    if email.html_body and email.body:
        message.attach_alternative(email.html_body, "text/html")
    elif email.html_body:
        message.content_subtype = "html"
    return message


def _enqueue(email_id, run_after=None):
    """Hand the message to the task worker; a deferred retry needs a backend that can wait
    (the database one). Without one, the scheduler's sweep sends it when it falls due."""
    from .tasks import deliver_email

    task = deliver_email
    if run_after is not None:
        if not task.get_backend().supports_defer:
            return
        task = task.using(run_after=run_after)
    try:
        task.enqueue(email_id)
    except Exception:
        # The message is stored; the scheduler's sweep will send it. Say so, loudly.
        logger.exception("Could not queue e-mail %s; the scheduler's sweep will send it", email_id)
