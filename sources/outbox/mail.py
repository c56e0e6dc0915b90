"""Durable e-mail: every message the site sends is stored first, then delivered by the task
worker, retried with growing delays when the mail server fails, and kept for staff when it
still fails after the last attempt. Nothing about a failed send is silent: each failed attempt
and each message given up on is logged with its kind.
"""

import logging
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
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


def deliver(email_id):
    """Make one attempt at sending a stored message, if it is still waiting and due.

    A failure schedules the next attempt, or after EMAIL_MAX_ATTEMPTS marks the message failed
    for staff to see and retry. Returns the message's status afterwards.
    """
    now = timezone.now()
    with transaction.atomic():
        email = OutgoingEmail.objects.select_for_update().filter(pk=email_id).first()
        if email is None:
            return None
        if email.status != OutgoingEmail.Status.PENDING or (
            email.next_attempt_at and email.next_attempt_at > now
        ):
            return email.status
        email.attempts += 1
        try:
            _as_message(email).send(fail_silently=False)
        except Exception as error:  # noqa: BLE001 (any failure of the server or the message)
            _record_failure(email, error, now)
        else:
            email.status = OutgoingEmail.Status.SENT
            email.sent_at = now
            email.next_attempt_at = None
        email.save(update_fields=["attempts", "status", "sent_at", "next_attempt_at", "last_error"])
        if email.status == OutgoingEmail.Status.PENDING:
            transaction.on_commit(
                partial(_enqueue, email.pk, run_after=email.next_attempt_at), robust=True
            )
    return email.status


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


def _record_failure(email, error, now):
    email.last_error = f"{type(error).__name__}: {error}"[:2000]
    if email.attempts >= settings.EMAIL_MAX_ATTEMPTS:
        email.status = OutgoingEmail.Status.FAILED
        email.next_attempt_at = None
        logger.error(
            "E-mail %s (kind %s, to %d recipient(s)) FAILED after %d attempts and is kept for "
            "staff to retry: %s",
            email.pk,
            email.kind,
            len(email.to),
            email.attempts,
            email.last_error,
        )
        return
    email.next_attempt_at = now + retry_delay(email.attempts)
    logger.warning(
        "E-mail %s (kind %s, to %d recipient(s)) failed on attempt %d of %d, next try at %s: %s",
        email.pk,
        email.kind,
        len(email.to),
        email.attempts,
        settings.EMAIL_MAX_ATTEMPTS,
        email.next_attempt_at.isoformat(),
        email.last_error,
    )


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
