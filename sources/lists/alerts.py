"""Lists follow the evidence: when a check finds that a source was retracted, has an expression
of concern, was superseded, has a broken link, or left the library, each owner of a list holding
it is told once (an e-mail through the outbox, and their "Following" page), however many of
their lists hold it and however often the check runs again."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string

from qlibrary.outbox import mail
from sources.lists.models import OwnerAlert

What = OwnerAlert.What
# How far back the "Following" page shows what owners were told.
PAGE_WINDOW = timedelta(days=90)


def notify_owners_of(source, what):
    """Tell each owner of a list holding `source` about `what` (an OwnerAlert.What value), once.
    Returns the number of owners told this time."""
    what = What(what)
    owners = (
        get_user_model()
        .objects.filter(reading_lists__items__source=source, is_active=True)
        .distinct()
    )
    told = 0
    for owner in owners:
        try:
            with transaction.atomic():
                OwnerAlert.objects.create(owner=owner, source=source, what=what)
                _queue_email(owner, source, what)
        except IntegrityError:
            continue  # told before (or by a run racing this one)
        told += 1
    return told


def _queue_email(owner, source, what):
    base = settings.SITE_URL.rstrip("/")
    lists = owner.reading_lists.filter(items__source=source).order_by("title")
    context = {
        "owner": owner,
        "source": source,
        "what": what,
        "lists": list(lists),
        "base": base,
        "following_url": base + "/me/following/",
    }
    mail.queue(
        kind="list_alert",
        subject=f"[Q Library] A source in your reading list: {what.label.lower()}",
        body=render_to_string("lists/email/owner_alert.txt", context),
        to=[owner.email],
    )


def recent_for(owner, now):
    """What `owner` was told lately, newest first, with the sources."""
    return (
        OwnerAlert.objects.filter(owner=owner, created_at__gte=now - PAGE_WINDOW)
        .select_related("source")
        .order_by("-created_at", "-pk")[:50]
    )
