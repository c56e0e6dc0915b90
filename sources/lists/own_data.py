"""A member's reading lists in the download of their own data (qlibrary/member_data.py)."""

from sources.lists.models import ListFollow, ReadingList


def _time(value):
    return value.isoformat() if value else None


def own_lists_data(member, *, site_url):
    """The member's lists with their items and notes, and the lists they follow."""
    lists = (
        ReadingList.objects.filter(owner=member).prefetch_related("items__source").order_by("pk")
    )
    follows = ListFollow.objects.filter(member=member).select_related("reading_list")
    return {
        "lists": [
            {
                "title": reading_list.title,
                "page": site_url + reading_list.share_url,
                "visibility": reading_list.visibility,
                "introduction": reading_list.introduction,
                "created": _time(reading_list.created_at),
                "items": [
                    {
                        "title": item.source_title,
                        "page": site_url + item.source.get_absolute_url() if item.source else None,
                        "note": item.note,
                        "added": _time(item.added_at),
                    }
                    for item in reading_list.items.all()
                ],
            }
            for reading_list in lists
        ],
        "following": [
            {"title": follow.reading_list.title, "since": _time(follow.created_at)}
            for follow in follows
        ],
    }
