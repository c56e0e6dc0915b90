"""Retractions, expressions of concern and corrections, from Crossref.

Crossref's `/works/{doi}` lists under `message.updated-by` the notices published about a work
(by its publisher, and by Retraction Watch). Filtering Crossref by `update-type:retraction`
would return the notices themselves, not the retracted works, so each DOI is looked up on its
own. A retraction or an expression of concern puts a banner on the source, adds an entry to the
public log and e-mails the proposer, the endorsers and the moderators, once: the source's row is
locked and its `alert` only ever rises. A correction is recorded and shown as a note. A DOI
Crossref does not know is "no signal", never "fine". Sources hold no PubMed ID, so only DOIs are
checked. Crossref is asked through sources/clients/crossref.py.
"""

import logging
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from qlibrary import outbound
from sources.clients import ServiceError, crossref
from sources.lists.alerts import notify_owners_of
from sources.models import IdentifierCheck, ModerationEvent, Notice, Source
from sources.proposals import notifications

logger = logging.getLogger(__name__)

KINDS = {
    "retraction": Notice.Kind.RETRACTION,
    "expression_of_concern": Notice.Kind.CONCERN,
    "correction": Notice.Kind.CORRECTION,
}
SEVERITY = {Source.Alert.NONE: 0, Source.Alert.CONCERN: 1, Source.Alert.RETRACTED: 2}
EVENTS = {
    Source.Alert.CONCERN: ModerationEvent.Action.CONCERN,
    Source.Alert.RETRACTED: ModerationEvent.Action.RETRACTION,
}
# A look-up that failed (Crossref down) is tried again after this long, not a whole interval.
RETRY_FAILED_AFTER = timedelta(days=1)


def record_updates(*, source, entries):
    """Record the notices found for a source; raise its alert, log it and tell people when a
    retraction or concern is new. Returns the new alert, or "" when nothing rose."""
    with transaction.atomic():
        locked = Source.objects.select_for_update().get(pk=source.pk)
        found_new = False
        for entry in entries:
            kind = KINDS.get(str(entry.get("type", "")))
            if kind is None:
                continue
            _, created = Notice.objects.get_or_create(
                source=locked,
                kind=kind,
                notice_doi=str(entry.get("DOI", ""))[:200],
                defaults={
                    "label": str(entry.get("label", ""))[:100],
                    "reported_by": str(entry.get("source", ""))[:40],
                    "published": _published(entry),
                },
            )
            found_new = found_new or created
        kinds = set(locked.notices.values_list("kind", flat=True))
        alert = (
            Source.Alert.RETRACTED
            if Notice.Kind.RETRACTION in kinds
            else Source.Alert.CONCERN
            if Notice.Kind.CONCERN in kinds
            else Source.Alert.NONE
        )
        if SEVERITY[alert] <= SEVERITY[Source.Alert(locked.alert)]:
            if found_new:
                # A correction (or another notice of a kind already shown) changes what the
                # source's page shows: its pages must not be served from the cache as before.
                locked.save(update_fields=["updated_at"])
            return ""
        locked.alert = alert
        locked.save(update_fields=["alert", "updated_at"])
        notice = locked.notices.filter(kind=alert).first()
        event = ModerationEvent.objects.create(
            source=locked,
            actor=None,
            action=EVENTS[alert],
            from_status=locked.status,
            to_status=locked.status,
            reason=_reason(alert, notice),
        )
        transaction.on_commit(lambda: notifications.alert(event), robust=True)
        transaction.on_commit(lambda: notify_owners_of(locked, alert), robust=True)
    return alert


def _reason(alert, notice):
    what = "a retraction" if alert == Source.Alert.RETRACTED else "an expression of concern"
    where = f" (notice {notice.notice_doi})" if notice and notice.notice_doi else ""
    return f"Crossref lists {what} of this work{where}."


def _remember_check(source, *, result, failed):
    """Note when the source was looked up. Written without signals: no page shows it, so it
    must not empty the page cache."""
    now = timezone.now()
    IdentifierCheck.objects.bulk_create(
        [IdentifierCheck(source=source, checked_at=now)], ignore_conflicts=True
    )
    IdentifierCheck.objects.filter(source=source).update(
        checked_at=now, result=result, failed=failed
    )


def _published(entry):
    try:
        year, month, day = (entry["updated"]["date-parts"][0] + [1, 1])[:3]
        return date(int(year), int(month), int(day))
    except (KeyError, IndexError, TypeError, ValueError):
        return None


def due(now):
    """Approved sources with a DOI not looked up for RETRACTION_CHECK_INTERVAL_DAYS (a day,
    after a failed look-up)."""
    cutoff = now - timedelta(days=settings.RETRACTION_CHECK_INTERVAL_DAYS)
    return (
        Source.objects.approved()
        .exclude(doi="")
        .filter(
            Q(identifier_check__isnull=True)
            | Q(identifier_check__checked_at__lte=cutoff)
            | Q(
                identifier_check__failed=True,
                identifier_check__checked_at__lte=now - RETRY_FAILED_AFTER,
            )
        )
        .only("pk", "doi", "title", "slug")
        .order_by("pk")
    )


def check_sources(*, sources=None, report=None):
    """Look up every due source (or the given ones) in Crossref, one request at a time;
    `report` gets a progress line per hundred sources and a summary."""
    now = timezone.now()
    sources = list(due(now) if sources is None else sources)
    report = report or (lambda line: None)
    counts = {"checked": 0, "raised": 0, "failed": 0, "unknown": 0}
    for source in sources:
        try:
            entries = crossref.updates_of(source.doi)
        except (outbound.OutboundError, ServiceError) as error:
            logger.warning("Crossref look-up of %s failed: %s", source.doi, error)
            result, failed = f"look-up failed: {error}"[:300], True
            counts["failed"] += 1
        else:
            failed = False
            if entries is None:
                result = "Crossref has no record of this DOI (no signal)"
                counts["unknown"] += 1
            else:
                counts["raised"] += bool(record_updates(source=source, entries=entries))
                result = f"{len(entries)} update(s) listed"
        _remember_check(source, result=result, failed=failed)
        counts["checked"] += 1
        if counts["checked"] % 100 == 0:
            report(f"Checked {counts['checked']} of {len(sources)} DOIs…")
    report(
        f"Checked {counts['checked']} DOIs: {counts['raised']} new retraction(s) or concern(s), "
        f"{counts['unknown']} unknown to Crossref, {counts['failed']} look-up(s) failed."
    )
    return counts
