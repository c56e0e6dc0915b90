"""A proposer's record, for the moderator deciding on one of their proposals: how many sources
they proposed and what became of them."""

from dataclasses import dataclass

from django.db.models import Count, Q

from sources.models import Source

Status = Source.Status


@dataclass(frozen=True)
class ProposerRecord:
    proposed: int
    approved: int
    declined: int
    open: int
    withdrawn: int
    retired: int


def proposer_record(member):
    """What became of every source `member` proposed (this one included), in one query."""
    counts = Source.objects.filter(proposer=member).aggregate(
        proposed=Count("pk"),
        approved=Count("pk", filter=Q(status=Status.APPROVED)),
        declined=Count("pk", filter=Q(status=Status.DECLINED)),
        open=Count("pk", filter=Q(status__in=Source.OPEN_STATUSES)),
        withdrawn=Count("pk", filter=Q(status=Status.WITHDRAWN)),
        retired=Count("pk", filter=Q(status=Status.RETIRED)),
    )
    return ProposerRecord(**counts)
