"""Durable e-mail: every message is stored, sent by the task worker, retried with growing delays
while the mail server is down, delivered when it comes back, and kept for staff when it fails
for good. A real SMTP server (aiosmtpd) on this machine stands in for the mail server, and the
worker runs in the test process against the database queue; time moves with time-machine."""

import asyncio
import logging
import socket
import threading
import time
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from qlibrary.outbox import mail, stalled_tasks
from qlibrary.outbox.models import OutgoingEmail
from sources.models import Source
from sources.proposals import moderation

from .factories import MemberFactory, ModeratorFactory

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Inbox:
    """An aiosmtpd handler that keeps what it receives."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


class StallingInbox(Inbox):
    """Accepts the connection and the message, then never answers a message to any address in
    `stall_for` (until `release` is set, at the end of the test)."""

    def __init__(self, stall_for):
        super().__init__()
        self.stall_for = set(stall_for)
        self.stalled = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        if self.stall_for & set(envelope.rcpt_tos):
            self.stalled.set()
            # Waits in a thread: the test may have frozen the clock the event loop reads.
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait)
            return "451 Too late"
        return await super().handle_DATA(server, session, envelope)


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
def stalling_smtp(settings):
    """A started SMTP server that never answers a message to stall@example.org."""
    port = free_port()
    inbox = StallingInbox(stall_for=["stall@example.org"])
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    controller.inbox = inbox
    controller.start()
    yield controller
    inbox.release.set()
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
        to=[kwargs.get("to", "pat@example.org")],
    )


@pytest.mark.django_db(transaction=True)
def test_email_queued_while_the_server_is_down_is_retried_then_delivered(
    smtp, database_queue, caplog
):
    caplog.set_level(logging.WARNING, logger="qlibrary.outbox.mail")
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
    caplog.set_level(logging.WARNING, logger="qlibrary.outbox.mail")
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


@pytest.mark.django_db(transaction=True)
def test_a_mail_server_that_never_answers_fails_the_attempt_without_hanging_the_worker(
    stalling_smtp, database_queue, settings
):
    settings.EMAIL_TIMEOUT = 1
    with time_machine.travel(START, tick=False) as clock:
        email = queue_one(to="stall@example.org")

        started = time.monotonic()
        run_worker()  # the server takes the message and never says whether it accepts it
        assert time.monotonic() - started < 10

        email.refresh_from_db()
        assert (email.status, email.attempts) == (OutgoingEmail.Status.PENDING, 1)
        assert "timed out" in email.last_error
        assert email.next_attempt_at == START + timedelta(seconds=300)

        stalling_smtp.inbox.stall_for = set()  # the server answers again
        clock.shift(timedelta(seconds=301))
        run_worker()

    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error) == (OutgoingEmail.Status.SENT, 2, "")
    (envelope,) = stalling_smtp.inbox.envelopes
    assert envelope.rcpt_tos == ["stall@example.org"]


@pytest.mark.django_db(transaction=True)
def test_a_mail_server_that_never_even_greets_fails_the_attempt_in_time(settings, database_queue):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_TIMEOUT = 1
    # The system completes the connection for a listening socket; nobody ever answers on it.
    with socket.create_server(("127.0.0.1", 0)) as silent:
        settings.EMAIL_HOST, settings.EMAIL_PORT = silent.getsockname()
        email = queue_one()

        started = time.monotonic()
        assert mail.deliver(email.pk) == OutgoingEmail.Status.PENDING
        assert time.monotonic() - started < 10

    email.refresh_from_db()
    assert email.attempts == 1
    assert "timed out" in email.last_error


def _in_thread(function, *args, **kwargs):
    """Run `function` in a thread with its own database connection; returns the thread."""

    def run():
        try:
            function(*args, **kwargs)
        finally:
            connection.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


@pytest.mark.django_db(transaction=True)
def test_the_sweep_does_not_wait_for_a_send_in_progress(stalling_smtp, database_queue, settings):
    settings.EMAIL_TIMEOUT = 30
    stuck = queue_one(to="stall@example.org")
    waiting = queue_one(to="pat@example.org")
    overdue = timezone.now() - mail.SWEEP_GRACE - timedelta(minutes=1)
    OutgoingEmail.objects.update(next_attempt_at=overdue)  # both tasks were lost
    inbox = stalling_smtp.inbox

    sending = _in_thread(mail.deliver, stuck.pk)
    try:
        assert inbox.stalled.wait(10), "the first send never reached the mail server"
        sweep = _in_thread(call_command, "send_queued_email", verbosity=0)
        sweep.join(timeout=10)
        assert not sweep.is_alive(), "the sweep waited for the send in progress"

        waiting.refresh_from_db()
        assert waiting.status == OutgoingEmail.Status.SENT
        assert [envelope.rcpt_tos for envelope in inbox.envelopes] == [["pat@example.org"]]
        stuck.refresh_from_db()
        assert (stuck.status, stuck.attempts) == (OutgoingEmail.Status.SENDING, 1)
    finally:
        inbox.release.set()
        sending.join(timeout=10)

    stuck.refresh_from_db()
    assert (stuck.status, stuck.attempts) == (OutgoingEmail.Status.PENDING, 1)
    assert stuck.last_error.startswith("SMTPDataError: (451")


@pytest.mark.django_db(transaction=True)
def test_a_message_whose_sender_stopped_mid_send_is_sent_again_once_its_claim_lapses(
    smtp, database_queue
):
    smtp.start()
    with time_machine.travel(START, tick=False) as clock:
        email = queue_one()
        DBTaskResult.objects.all().delete()
        # A worker claimed it, then was killed before it could record anything.
        OutgoingEmail.objects.filter(pk=email.pk).update(
            status=OutgoingEmail.Status.SENDING,
            attempts=1,
            next_attempt_at=START + mail.claim_lapse(),
        )

        clock.shift(mail.claim_lapse() + mail.SWEEP_GRACE - timedelta(seconds=1))
        call_command("send_queued_email", verbosity=0)
        assert smtp.inbox.envelopes == [], "its claim still holds"

        clock.shift(timedelta(seconds=2))
        call_command("send_queued_email", verbosity=0)

    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error) == (OutgoingEmail.Status.SENT, 2, "")
    assert len(smtp.inbox.envelopes) == 1


def _left_running(result, *, runs, since):
    """What a worker killed in the middle of `result`'s task leaves behind."""
    DBTaskResult.objects.filter(pk=result.pk).update(
        status=TaskResultStatus.RUNNING,
        started_at=since,
        worker_ids=[f"worker-{n}" for n in range(runs)],
    )


@pytest.mark.django_db(transaction=True)
def test_a_task_left_running_by_a_stopped_worker_is_run_again_then_given_up(smtp, database_queue):
    smtp.start()
    with time_machine.travel(START, tick=False) as clock:
        email = queue_one()
        (result,) = DBTaskResult.objects.all()
        _left_running(result, runs=1, since=START)
        # A task running for less than an hour is left to its worker.
        clock.shift(stalled_tasks.STALLED_AFTER - timedelta(seconds=1))
        call_command("send_queued_email", verbosity=0)
        result.refresh_from_db()
        assert result.status == TaskResultStatus.RUNNING

        clock.shift(timedelta(seconds=2))
        call_command("send_queued_email", verbosity=0)
        result.refresh_from_db()
        assert result.status == TaskResultStatus.READY
        run_worker()

        result.refresh_from_db()
        assert result.status == TaskResultStatus.SUCCESSFUL
        email.refresh_from_db()
        assert email.status == OutgoingEmail.Status.SENT

        # A task that stalled on its second run as well is not run a third time.
        other = queue_one(to="sam@example.org")
        again = DBTaskResult.objects.get(args_kwargs__args=[other.pk])
        _left_running(again, runs=2, since=timezone.now())
        clock.shift(stalled_tasks.STALLED_AFTER + timedelta(seconds=1))
        out = StringIO()
        call_command("send_queued_email", stdout=out)

    again.refresh_from_db()
    assert again.status == TaskResultStatus.FAILED
    assert "The worker stopped while running this task, 2 times" in again.traceback
    assert "stalled tasks queued again: 0, marked failed: 1" in out.getvalue()
    # The message itself is still sent, by the sweep, since its task was given up on.
    other.refresh_from_db()
    assert other.status == OutgoingEmail.Status.SENT
