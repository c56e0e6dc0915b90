"""Endorsing a source: one per member, never one's own proposal, counts exact under races."""

from django.db import transaction
from django.db.models import F

from sources.models import Endorsement, Source
from sources.permissions import NOT_LIVE, endorse_refusal


class EndorsementError(Exception):
    """Why this endorsement cannot be given; the message is meant for the member."""


def set_endorsement(*, source, member, endorse):
    """Endorse (endorse=True) or withdraw an endorsement; repeating either changes nothing.

    The source row is locked, so the stored count moves with the rows in one transaction.
    Returns the source with its current endorsement_count.
    """
    with transaction.atomic():
        locked = Source.objects.select_for_update().get(pk=source.pk)
        refusal = endorse_refusal(locked, member)
        # Taking an endorsement back is refused only once the source has left the library.
        if refusal and (endorse or refusal == NOT_LIVE):
            raise EndorsementError(refusal)
        existing = Endorsement.objects.filter(source=locked, member=member)
        if endorse and not existing.exists():
            Endorsement.objects.create(source=locked, member=member)
            change = 1
        elif not endorse and existing.delete()[0]:
            change = -1
        else:
            change = 0
        if change:
            Source.objects.filter(pk=locked.pk).update(
                endorsement_count=F("endorsement_count") + change
            )
            locked.refresh_from_db(fields=["endorsement_count"])
    return locked


def remove_all_endorsements(*, member):
    """Take back every endorsement `member` gave (their account is closing), in any state of
    the source; each source's count drops with its row, locked, in one transaction."""
    with transaction.atomic():
        endorsed = Endorsement.objects.filter(member=member).values("source_id")
        sources = list(Source.objects.select_for_update().filter(pk__in=endorsed).order_by("pk"))
        Endorsement.objects.filter(member=member).delete()
        Source.objects.filter(pk__in=[source.pk for source in sources]).update(
            endorsement_count=F("endorsement_count") - 1
        )
    return len(sources)


def has_endorsed(source, member):
    return (
        member.is_authenticated
        and Endorsement.objects.filter(source=source, member=member).exists()
    )
