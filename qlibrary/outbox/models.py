"""Every e-mail the site sends, kept until it is delivered (or given up on and shown to staff)."""

from django.db import models


class OutgoingEmailQuerySet(models.QuerySet):
    def due(self, now):
        """Messages to send now: waiting, with their next attempt now or overdue; or claimed by a
        sender whose claim has lapsed (a worker stopped in the middle of sending)."""
        return self.filter(status__in=OutgoingEmail.UNSENT, next_attempt_at__lte=now)


class OutgoingEmail(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed after every retry"

    UNSENT = (Status.PENDING, Status.SENDING)

    # What the message is about, for logs and the admin: "new_proposal", "decision", ...
    kind = models.CharField(max_length=60)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    html_body = models.TextField(blank=True)
    from_email = models.CharField(max_length=300, blank=True)
    to = models.JSONField(default=list)
    headers = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    # Attempts claimed so far: each sender claims the message by adding one, and records its
    # outcome only while the count is still its own (qlibrary/outbox/mail.py `deliver`).
    attempts = models.PositiveSmallIntegerField(default=0)
    # When waiting, the next attempt; when being sent, the time the sender's claim lapses.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = OutgoingEmailQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "outgoing e-mail"
        verbose_name_plural = "outgoing e-mails"
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status__in=["pending", "sending"]),
                name="outgoing_email_due",
            )
        ]

    def __str__(self):
        return f"{self.kind}: {self.subject}"
