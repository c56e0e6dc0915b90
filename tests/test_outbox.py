"""Durable e-mail: every message is stored, sent by the task worker, retried with growing delays
while the mail server is down, delivered when it comes back, and kept for staff when it fails
for good. A real SMTP server (aiosmtpd) on this machine stands in for the mail server, and the
worker runs in the test process against the database queue; time moves with time-machine."""

import logging
import socket
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from sources import moderation
from sources.models import Source
from sources.outbox import mail
from sources.outbox.models import OutgoingEmail

from .factories import MemberFactory, ModeratorFactory

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Inbox:
    """An aiosmtpd handler that keeps what it receives."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(settings):
    """An SMTP server on a free local port, not started yet; the site's mail points at it."""
    port = free_port()
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    controller.inbox = inbox
    yield controller
    if getattr(controller, "_thread", None) is not None:
        controller.stop()


@pytest.fixture
def database_queue(settings):
    """The production task backend: tasks wait in the database until a worker runs them."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.EMAIL_RETRY_DELAY = 300
    settings.EMAIL_MAX_ATTEMPTS = 4


def run_worker():
    """Run every task that is due now, as `manage.py db_worker` does, then stop."""
    call_command(
        "db_worker", batch=True, startup_delay=False, reload=False, interval=0, verbosity=0
    )


def queue_one(**kwargs):
    return mail.queue(
        kind=kwargs.get("kind", "decision"),
        subject=kwargs.get("subject", "[Q Library] Approved: Skilled for improvement"),
        body="Your proposal is now in the library.",
        to=["pat@example.org"],
    )


@pytest.mark.django_db(transaction=True)
def test_email_queued_while_the_server_is_down_is_retried_then_delivered(
    smtp, database_queue, caplog
):
    caplog.set_level(logging.WARNING, logger="sources.outbox.mail")
    with time_machine.travel(START, tick=False) as clock:
        email = queue_one()

        run_worker()  # the server is down: the first attempt fails

        email.refresh_from_db()
        assert (email.status, email.attempts) == (OutgoingEmail.Status.PENDING, 1)
        assert email.next_attempt_at == START + timedelta(seconds=300)
        assert "ConnectionRefusedError" in email.last_error
        assert "kind decision" in caplog.text

        run_worker()  # not due yet: no attempt is made before the back-off ends
        email.refresh_from_db()
        assert email.attempts == 1

        clock.shift(timedelta(seconds=301))
        run_worker()  # still down: the delay triples
        email.refresh_from_db()
        assert email.attempts == 2
        assert email.next_attempt_at == START + timedelta(seconds=301 + 900)

        smtp.start()
        clock.shift(timedelta(seconds=901))
        run_worker()

    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutgoingEmail.Status.SENT, 3)
    (envelope,) = smtp.inbox.envelopes
    assert envelope.rcpt_tos == ["pat@example.org"]
    assert b"Subject: [Q Library] Approved: Skilled for improvement" in envelope.content


@pytest.mark.django_db(transaction=True)
def test_email_failing_every_attempt_is_kept_failed_logged_and_sent_on_retry(
    smtp, database_queue, caplog, admin_client
):
    caplog.set_level(logging.WARNING, logger="sources.outbox.mail")
    with time_machine.travel(START, tick=False) as clock:
        email = queue_one(kind="new_proposal")
        for _ in range(4):
            run_worker()
            clock.shift(timedelta(days=1))
        run_worker()

        email.refresh_from_db()
        assert (email.status, email.attempts) == (OutgoingEmail.Status.FAILED, 4)
        failures = [r for r in caplog.records if "kind new_proposal" in r.getMessage()]
        assert [r.levelname for r in failures] == ["WARNING"] * 3 + ["ERROR"]

        changelist = reverse("admin:outbox_outgoingemail_changelist")
        listed = admin_client.get(changelist, {"status__exact": "failed"})
        assert "Approved: Skilled for improvement" in listed.content.decode()

        smtp.start()
        response = admin_client.post(
            changelist,
            {"action": "retry_sending", "_selected_action": [email.pk]},
            follow=True,
        )
        assert "1 e-mail(s) queued to be sent again." in response.content.decode()
        run_worker()

    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.SENT
    assert len(smtp.inbox.envelopes) == 1


@pytest.mark.django_db(transaction=True)
def test_scheduler_sweep_sends_a_message_whose_task_was_lost(smtp, database_queue):
    smtp.start()
    with time_machine.travel(START, tick=False) as clock:
        email = queue_one()
        DBTaskResult.objects.all().delete()  # the task is lost, the stored message is not

        call_command("send_queued_email", verbosity=0)
        assert smtp.inbox.envelopes == []  # within the grace period the worker is trusted

        clock.shift(mail.SWEEP_GRACE + timedelta(seconds=1))
        call_command("send_queued_email", verbosity=0)

    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.SENT
    assert len(smtp.inbox.envelopes) == 1


def test_every_email_the_site_sends_is_stored_first(
    proposer, moderator, theme, client, mailoutbox, django_capture_on_commit_callbacks
):
    source = Source(title="Spread", kind="report", stance="refines", summary="Why.")
    with django_capture_on_commit_callbacks(execute=True):
        moderation.submit(source=source, proposer=proposer, themes=[theme], tags=[])
        client.post(reverse("account_reset_password"), {"email": proposer.email})

    kinds = sorted(OutgoingEmail.objects.values_list("kind", "status"))
    assert kinds == [("account:password_reset_key", "sent"), ("new_proposal", "sent")]
    assert sorted(m.to[0] for m in mailoutbox) == [moderator.email, proposer.email]


def test_a_message_with_no_address_is_not_queued(db):
    assert mail.queue(kind="decision", subject="s", body="b", to=[""]) is None
    assert not OutgoingEmail.objects.exists()


def test_staff_without_the_change_permission_cannot_retry(client, db):
    email = OutgoingEmail.objects.create(
        kind="decision", subject="x", body="b", to=["a@example.org"], status="failed"
    )
    viewer = MemberFactory(username="viewer", is_staff=True)

    viewer.user_permissions.add(Permission.objects.get(codename="view_outgoingemail"))
    client.force_login(viewer)

    client.post(
        reverse("admin:outbox_outgoingemail_changelist"),
        {"action": "retry_sending", "_selected_action": [email.pk]},
    )

    email.refresh_from_db()
    assert email.status == "failed"


@pytest.mark.django_db(transaction=True)
def test_a_proposals_emails_arrive_after_the_mail_server_was_down(smtp, database_queue):
    moderator = ModeratorFactory(username="moderator")
    proposer = MemberFactory(username="proposer")
    source = Source(title="Spread", kind="report", stance="refines", summary="Why.")
    with time_machine.travel(START, tick=False) as clock:
        moderation.submit(source=source, proposer=proposer, themes=[], tags=[])
        run_worker()  # the mail server is down
        assert smtp.inbox.envelopes == []

        smtp.start()
        clock.shift(timedelta(seconds=301))
        run_worker()

    (envelope,) = smtp.inbox.envelopes
    assert envelope.rcpt_tos == [moderator.email]
    assert b"New proposal: Spread" in envelope.content
