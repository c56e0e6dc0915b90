"""E-mails about proposals. Called on transaction commit, so nothing is sent for a rolled-back
change; each message is plain text rendered from templates/sources/email/."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail, send_mass_mail
from django.db.models import Q
from django.template.loader import render_to_string

from .access import MODERATE
from .models import ModerationEvent


def absolute(path):
    return settings.SITE_URL.rstrip("/") + path


def decision(event):
    """Tell the proposer what a moderator decided, and why."""
    proposer = event.source.proposer
    if event.action not in ModerationEvent.DECISIONS or proposer is None or not proposer.email:
        return
    context = {
        "event": event,
        "source": event.source,
        "proposer": proposer,
        "source_url": absolute(event.source.get_absolute_url()),
        "my_proposals_url": absolute("/me/proposals/"),
        "guidelines_url": absolute("/guidelines/"),
    }
    send_mail(
        subject=f"[Q Library] {event.get_action_display()}: {event.source.title}"[:200],
        message=render_to_string("sources/email/decision.txt", context),
        from_email=None,
        recipient_list=[proposer.email],
    )


def moderators_to_tell(exclude):
    """Active, verified moderators who asked to hear of new proposals."""
    app_label, codename = MODERATE.split(".")
    holds_permission = Q(
        groups__permissions__codename=codename,
        groups__permissions__content_type__app_label=app_label,
    ) | Q(is_superuser=True)
    return (
        get_user_model()
        .objects.filter(holds_permission, is_active=True, notify_new_proposals=True)
        .filter(emailaddress__verified=True)
        .exclude(pk=exclude.pk)
        .distinct()
    )


def new_proposal(event):
    """Tell each moderator who wants to know that a proposal is waiting."""
    source = event.source
    context = {"source": source, "review_url": absolute(f"/moderation/{source.slug}/")}
    body = render_to_string("sources/email/new_proposal.txt", context)
    subject = f"[Q Library] New proposal: {source.title}"[:200]
    send_mass_mail(
        [
            (subject, body, None, [moderator.email])
            for moderator in moderators_to_tell(exclude=source.proposer)
        ]
    )
