"""E-mails about proposals. Called on transaction commit, so nothing is queued for a rolled-back
change; each message is plain text rendered from templates/sources/email/ and goes out through
the outbox (retried until delivered)."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.template.loader import render_to_string

from qlibrary.outbox import mail
from sources.access import MODERATE
from sources.models import ModerationEvent
from sources.text import one_line


def absolute(path):
    return settings.SITE_URL.rstrip("/") + path


def decision(event):
    """Tell the proposer what a moderator decided, and why."""
    proposer = event.source.proposer
    if event.action not in ModerationEvent.DECISIONS or proposer is None or not proposer.email:
        return
    context = {
        "Action": ModerationEvent.Action,
        "event": event,
        "source": event.source,
        "proposer": proposer,
        "source_url": absolute(event.source.get_absolute_url()),
        "my_proposals_url": absolute("/me/proposals/"),
        "guidelines_url": absolute("/guidelines/"),
    }
    mail.queue(
        kind="decision",
        subject=one_line(f"[Q Library] {event.get_action_display()}: {event.source.title}")[:200],
        body=render_to_string("sources/email/decision.txt", context),
        to=[proposer.email],
    )


def moderators_to_tell(exclude=None, *, only_willing=True):
    """Active, verified moderators; only those who asked to hear of new proposals unless
    `only_willing` is off."""
    app_label, codename = MODERATE.split(".")
    holds_permission = Q(
        groups__permissions__codename=codename,
        groups__permissions__content_type__app_label=app_label,
    ) | Q(is_superuser=True)
    moderators = (
        get_user_model()
        .objects.filter(holds_permission, is_active=True)
        .filter(emailaddress__verified=True)
        .distinct()
    )
    if only_willing:
        moderators = moderators.filter(notify_new_proposals=True)
    if exclude is not None:
        moderators = moderators.exclude(pk=exclude.pk)
    return moderators


def new_proposal(event):
    """Tell each moderator who wants to know that a proposal is waiting."""
    source = event.source
    context = {"source": source, "review_url": absolute(f"/moderation/{source.slug}/")}
    body = render_to_string("sources/email/new_proposal.txt", context)
    subject = one_line(f"[Q Library] New proposal: {source.title}")[:200]
    for moderator in moderators_to_tell(exclude=source.proposer):
        mail.queue(kind="new_proposal", subject=subject, body=body, to=[moderator.email])


def alert(event):
    """Tell the proposer, the endorsers and the moderators that a source in the library has been
    retracted or has an expression of concern against it (one message per person)."""
    source = event.source
    people = [source.proposer] if source.proposer else []
    people += [endorsement.member for endorsement in source.endorsements.select_related("member")]
    people += list(moderators_to_tell(only_willing=False))
    context = {"event": event, "source": source, "source_url": absolute(source.get_absolute_url())}
    body = render_to_string("sources/email/alert.txt", context)
    subject = one_line(f"[Q Library] {event.get_action_display()}: {source.title}")[:200]
    addresses = dict.fromkeys(p.email for p in people if p.is_active and p.email)
    for address in addresses:
        mail.queue(kind=event.action, subject=subject, body=body, to=[address])
