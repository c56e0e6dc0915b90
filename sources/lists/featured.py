"""The reading lists a theme's page features ("Start here"), read with the theme's own row."""

from django.http import Http404

from sources.lists.models import ReadingList
from sources.models import Theme

# What a list's card shows (templates/lists/list_card.html): the list and its owner's name.
LIST_FIELDS = ("id", "owner_id", "title", "slug", "item_count", "follower_count")
# Whether it is shown at all (`ReadingList.is_public`).
SHOWN_FIELDS = ("visibility", "hidden_at")
OWNER_FIELDS = ("id", "username", "display_name")


def theme_and_featured_lists(slug):
    """The theme at `slug` and the public lists featured on it, the latest featured first, in
    one query: the theme's row joined to every list it features (a theme that features none is
    one row with no list), of which those not public or hidden are left out here.
    Http404 when there is no such theme."""
    theme_fields = [field.attname for field in Theme._meta.concrete_fields]
    rows = list(
        Theme.objects.filter(slug=slug)
        .order_by("-featured_lists__created_at", "-featured_lists__pk")
        .values_list(
            *theme_fields,
            *(f"featured_lists__reading_list__{name}" for name in SHOWN_FIELDS),
            *(f"featured_lists__reading_list__{name}" for name in LIST_FIELDS),
            *(f"featured_lists__reading_list__owner__{name}" for name in OWNER_FIELDS),
        )
    )
    if not rows:
        raise Http404("No such theme.")
    db = Theme.objects.db
    owner = ReadingList._meta.get_field("owner").related_model
    theme = Theme.from_db(db, theme_fields, rows[0][: len(theme_fields)])
    lists = []
    for row in rows:
        visibility, hidden_at, *rest = row[len(theme_fields) :]
        if visibility != ReadingList.Visibility.PUBLIC or hidden_at is not None:
            continue  # no list (none featured), or one only its owner may see
        reading_list = ReadingList.from_db(db, LIST_FIELDS, rest[: len(LIST_FIELDS)])
        reading_list.owner = owner.from_db(db, OWNER_FIELDS, rest[len(LIST_FIELDS) :])
        lists.append(reading_list)
    return theme, lists


def featured_themes(reading_list_ids):
    """The themes whose pages feature any of these lists."""
    return Theme.objects.filter(featured_lists__reading_list__in=reading_list_ids).distinct()
