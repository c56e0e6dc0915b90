"""What followers of public lists hear in their weekly digest (sources/library/following.py): the
sources added to or removed from the lists they follow."""

from sources.lists.models import ListChange, ReadingList


def list_changes_for(member, since, until):
    """Changes since `since` (up to `until`) to the public lists `member` follows, newest first."""
    return (
        ListChange.objects.filter(
            reading_list__follows__member=member,
            reading_list__visibility=ReadingList.Visibility.PUBLIC,
            reading_list__hidden_at__isnull=True,
            created_at__gt=since,
            created_at__lte=until,
        )
        .select_related("reading_list")
        .order_by("-created_at", "-pk")
    )
