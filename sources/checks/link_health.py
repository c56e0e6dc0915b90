"""Link health: each approved source's address is visited now and then, politely, and a link is
called broken only when it has kept failing for a week.

- One request at a time, and to any one host no more often than every LINK_CHECK_HOST_DELAY
  seconds; the User-Agent names the site (qlibrary/outbound.py, which also refuses private
  addresses and caps time and size).
- HEAD first; GET when the site refuses HEAD (405, 501). Redirects are followed and recorded; a
  chain of permanent ones (301, 308) offers moderators the new address in one click.
- 403 and 429 are sites refusing robots: the page is there, so they are not failures.
- A link is broken after LINK_BROKEN_AFTER_FAILURES failed checks in a row spanning at least
  LINK_BROKEN_AFTER_DAYS days. The source page then says so, with the Internet Archive's copy
  when its availability API has one (asked through sources/clients/wayback.py).
"""

import logging
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import timedelta
from http import HTTPStatus
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from qlibrary import outbound
from qlibrary.cache import touch
from sources.access import is_moderator
from sources.clients import ErrorStatus, ServiceError, wayback
from sources.lists.alerts import notify_owners_of
from sources.models import LinkHealth, ModerationEvent, Source

logger = logging.getLogger(__name__)

HEAD_REFUSED = {405, 501}
HEAD_SIZE_UNCAPPED = 2**62
BOT_BLOCKING = {403, 429}
PERMANENT_REDIRECTS = {301, 308}
Outcome = LinkHealth.Outcome


@dataclass
class Probe:
    """What one visit to an address found."""

    outcome: str
    status_code: int | None = None
    error: str = ""
    final_url: str = ""
    redirects: list = field(default_factory=list)

    @property
    def moved_to(self):
        """The new address when every redirect on the way was permanent, else ""."""
        permanent = self.redirects and all(s in PERMANENT_REDIRECTS for _, s in self.redirects)
        if permanent and self.outcome == Outcome.OK and len(self.final_url) <= 1000:
            return self.final_url
        return ""


def probe(url, fetch=None):
    """Visit `url`: HEAD, then GET if HEAD is refused, following and recording redirects."""
    fetch = fetch or outbound.fetch
    try:
        # A HEAD answer has no body, so its declared length is no reason to give up on it.
        response = fetch(url, method="HEAD", max_bytes=HEAD_SIZE_UNCAPPED)
        if response.status in HEAD_REFUSED:
            response = fetch(url, method="GET")
    except outbound.TooLarge:
        return Probe(Outcome.OK, final_url=url)  # it answered, with more than we read
    except outbound.OutboundError as error:
        return Probe(Outcome.FAILED, error=str(error)[:500])
    status = response.status
    redirects = [[hop.url, hop.status] for hop in response.redirects]
    if status < 400:
        outcome, error = Outcome.OK, ""
    elif status in BOT_BLOCKING:
        outcome, error = Outcome.BLOCKED, _describe(status)
    else:
        outcome, error = Outcome.FAILED, _describe(status)
    return Probe(outcome, status, error, response.url, redirects)


def _describe(status):
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"HTTP status {status}"


def record(*, source, found, now):
    """Store what a visit found and decide whether the link now counts as broken.

    Bookkeeping is written with update(), which sends no signal, so that routine checks do not
    empty the page cache; only a change readers can see (broken or mended) does.
    """
    LinkHealth.objects.bulk_create(
        [LinkHealth(source=source, checked_url=source.url, checked_at=now, outcome=found.outcome)],
        ignore_conflicts=True,
    )
    health = LinkHealth.objects.get(source=source)
    same_address = health.checked_url == source.url
    if found.outcome == Outcome.FAILED:
        failing_since = (health.failing_since if same_address else None) or now
        failures = (health.failures if same_address else 0) + 1
        broken = failures >= settings.LINK_BROKEN_AFTER_FAILURES and (
            now - failing_since >= timedelta(days=settings.LINK_BROKEN_AFTER_DAYS)
        )
    else:
        failing_since, failures, broken = None, 0, False
    answered_at = now if found.outcome == Outcome.OK else health.answered_at
    if not same_address and found.outcome != Outcome.OK:
        answered_at = None
    archive_url = health.archive_url if (broken and same_address) else ""
    if broken and not archive_url:
        archive_url = archived_copy(source.url)
    LinkHealth.objects.filter(pk=health.pk).update(
        checked_url=source.url,
        checked_at=now,
        answered_at=answered_at,
        outcome=found.outcome,
        status_code=found.status_code,
        error=found.error,
        final_url=found.final_url[:1000],
        redirects=found.redirects,
        moved_to=found.moved_to,
        failing_since=failing_since,
        failures=failures,
        broken=broken,
        archive_url=archive_url,
    )
    if broken != health.broken or archive_url != health.archive_url:
        touch(Source, [source.pk])  # its cards and page show the notice
    if broken and not health.broken:
        notify_owners_of(source, "broken_link")
    return broken


def archived_copy(url):
    """The Internet Archive's closest copy of `url`, or "" when it has none or cannot say."""
    if not settings.WAYBACK_AVAILABILITY_URL:
        return ""
    try:
        closest = wayback.closest_snapshot(url)
    except (outbound.OutboundError, ServiceError) as error:
        logger.warning("Archive look-up for %s failed: %s", url, error)
        return ""
    archived = str(closest.get("url", ""))
    if closest.get("available") and archived.startswith(("http://", "https://")):
        return archived[:1000]
    return ""


def request_archive(url):
    """Ask the Internet Archive to save `url` now (Save Page Now); best effort, never raises."""
    if not settings.WAYBACK_SAVE_URL:
        return False
    try:
        wayback.save_page(url)
    except outbound.OutboundError as error:
        logger.warning("Save Page Now request for %s failed: %s", url, error)
        return False
    except ErrorStatus as error:
        logger.warning("Save Page Now refused %s: HTTP %s", url, error.status)
        return False
    return True


def due(now):
    """Approved sources with an address that was never checked or not for a while."""
    cutoff = now - timedelta(hours=settings.LINK_CHECK_INTERVAL_HOURS)
    return (
        Source.objects.approved()
        .exclude(url="")
        .filter(Q(link_health__isnull=True) | Q(link_health__checked_at__lte=cutoff))
        .only("pk", "url", "slug", "title")
        .order_by("pk")
    )


def polite_order(sources):
    """Interleave the sources host by host, so that visits to one host are spread out."""
    queues = defaultdict(deque)
    for source in sources:
        queues[(urlsplit(source.url).hostname or "").lower()].append(source)
    while queues:
        for host in list(queues):
            yield host, queues[host].popleft()
            if not queues[host]:
                del queues[host]


def check_links(*, sources=None, report=None, fetch=None, sleep=time.sleep, clock=time.monotonic):
    """Check every due link (or the given sources) one request at a time, waiting between two
    visits to the same host; `report` gets a progress line per hundred links and a summary."""
    sources = list(due(timezone.now()) if sources is None else sources)
    report = report or (lambda line: None)
    delay = settings.LINK_CHECK_HOST_DELAY
    last_visit = {}
    counts = {"checked": 0, "broken": 0, "failed": 0}
    for host, source in polite_order(sources):
        if host in last_visit:
            wait = last_visit[host] + delay - clock()
            if wait > 0:
                sleep(wait)
        found = probe(source.url, fetch=fetch)
        last_visit[host] = clock()
        broken = record(source=source, found=found, now=timezone.now())
        counts["checked"] += 1
        counts["broken"] += broken
        counts["failed"] += found.outcome == Outcome.FAILED
        if counts["checked"] % 100 == 0:
            report(f"Checked {counts['checked']} of {len(sources)} links…")
    report(
        f"Checked {counts['checked']} links: {counts['failed']} failed this time, "
        f"{counts['broken']} broken."
    )
    return counts


def broken_link(source):
    """The source's link health when its current address counts as broken, else None (reads
    `source.link_health`, which the caller should have fetched with select_related)."""
    try:
        health = source.link_health
    except LinkHealth.DoesNotExist:
        return None
    return health if health.broken and health.checked_url == source.url else None


def check_now(*, source):
    """Visit the source's address once, now (a moderator asked), and store what it found as a
    scheduled check would; returns the stored link health."""
    record(source=source, found=probe(source.url), now=timezone.now())
    return LinkHealth.objects.get(source=source)


def health_of(source):
    """What the checks found about the source's current address, or None if it was never
    checked (reads `source.link_health`, which the caller should have fetched with
    select_related)."""
    try:
        health = source.link_health
    except LinkHealth.DoesNotExist:
        return None
    return health if health.checked_url == source.url else None


def for_moderators():
    """Links that need a moderator's eye: failing, broken, or moved for good."""
    return (
        LinkHealth.objects.filter(source__status=Source.Status.APPROVED)
        .filter(Q(failures__gt=0) | ~Q(moved_to=""))
        .select_related("source")
        .order_by("-broken", "failing_since", "-checked_at", "pk")
    )


@dataclass(frozen=True)
class Overview:
    """How the library's links stand, for the top of the moderators' page."""

    with_address: int
    checked: int
    failing: int
    broken: int
    moved: int
    last_checked: object

    @property
    def unchecked(self):
        return self.with_address - self.checked


def overview():
    """The approved sources' links in numbers, and when the last check ran (one query)."""
    counts = (
        Source.objects.approved()
        .exclude(url="")
        .aggregate(
            with_address=Count("pk"),
            checked=Count("link_health"),
            failing=Count("pk", filter=Q(link_health__failures__gt=0, link_health__broken=False)),
            broken=Count("pk", filter=Q(link_health__broken=True)),
            moved=Count("pk", filter=Q(link_health__moved_to__gt="")),
            last_checked=Max("link_health__checked_at"),
        )
    )
    return Overview(**counts)


class AddressNotUpdated(Exception):
    """The new address could not be taken; the message says why."""


def accept_new_address(*, source, moderator):
    """Move a source to the address its old one permanently redirects to, in the public log."""
    with transaction.atomic():
        locked = Source.objects.select_for_update().get(pk=source.pk)
        if not is_moderator(moderator):
            raise AddressNotUpdated("Only moderators can change a source's address.")
        health = LinkHealth.objects.filter(source=locked).first()
        if health is None or not health.moved_to or health.checked_url != locked.url:
            raise AddressNotUpdated("No new address is on offer for this source any more.")
        old, new = locked.url, health.moved_to
        locked.url = new
        locked.assign_keys()
        try:
            with transaction.atomic():
                locked.save(update_fields=["url", "url_key", "updated_at"])
        except IntegrityError:
            raise AddressNotUpdated(
                "Another source in the library or the queue already has the new address."
            ) from None
        LinkHealth.objects.filter(pk=health.pk).update(
            checked_url=new, moved_to="", failures=0, failing_since=None, broken=False
        )
        ModerationEvent.objects.create(
            source=locked,
            actor=moderator,
            action=ModerationEvent.Action.UPDATE_URL,
            from_status=locked.status,
            to_status=locked.status,
            reason=f"The old address {old} moved permanently to {new}.",
        )
    return locked
