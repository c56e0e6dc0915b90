"""Changes to reading lists: each a function with keyword-only arguments that checks the rule,
writes in one transaction and says why it refused (ListRefused) when it does."""

from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.text import slugify

from qlibrary.markdown import render as render_markdown
from sources.access import is_moderator
from sources.lists.models import FeaturedList, ListChange, ListFollow, ListItem, ReadingList
from sources.models import ModerationEvent, Source

LISTS_PER_MEMBER = 50
ITEMS_PER_LIST = 500
# Words the URL map uses right under /lists/: a list's slug never takes one.
RESERVED_SLUGS = {"new", "mine", "export", "feed", "basket"}
Visibility = ReadingList.Visibility


class ListRefused(Exception):
    pass


def _unique_slug(title, exclude=None):
    base = slugify(title)[:100].strip("-") or "reading-list"
    slug, number = base, 2
    taken = ReadingList.objects.exclude(pk=exclude)
    while slug in RESERVED_SLUGS or taken.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


def addition_refusal(reading_list, source):
    """Why `source` may not go into `reading_list`, or "" when it may: the library's sources
    anywhere; the owner's own open proposals in a private list only."""
    if source.status == Source.Status.APPROVED:
        return ""
    own_proposal = source.is_open and source.proposer_id == reading_list.owner_id
    if own_proposal and reading_list.visibility == Visibility.PRIVATE:
        return ""
    if own_proposal:
        return (
            "Only sources in the library can be in a shared or public list: keep your proposal "
            "in a private list until it is approved."
        )
    return "Only sources in the library (or your own open proposals) can be added to a list."


def create_list(*, owner, title, introduction="", visibility=Visibility.PRIVATE, sources=()):
    """A new list owned by `owner`, holding `sources` in order."""
    if ReadingList.objects.filter(owner=owner).count() >= LISTS_PER_MEMBER:
        raise ListRefused(
            f"You already have {LISTS_PER_MEMBER} reading lists, the most a member can keep. "
            "Delete one you no longer need first."
        )
    sources = list(sources)
    if len(sources) > ITEMS_PER_LIST:
        raise ListRefused(f"A reading list holds at most {ITEMS_PER_LIST} sources.")
    with transaction.atomic():
        reading_list = ReadingList.objects.create(
            owner=owner,
            title=title,
            slug=_unique_slug(title),
            introduction=introduction,
            introduction_html=render_markdown(introduction) if introduction else "",
            visibility=visibility,
            item_count=len(sources),
        )
        ListItem.objects.bulk_create(
            ListItem(
                reading_list=reading_list,
                source=source,
                source_title=source.title,
                position=position,
            )
            for position, source in enumerate(sources, start=1)
        )
    return reading_list


def update_list(*, reading_list, title, introduction, visibility):
    """Change the list's title, introduction or visibility (its address stays)."""
    if visibility != Visibility.PRIVATE:
        hidden = reading_list.items.exclude(source__status=Source.Status.APPROVED)
        if hidden.filter(source__status__in=Source.OPEN_STATUSES).exists():
            raise ListRefused(
                "This list holds open proposals, which only you may see: remove them, or keep the "
                "list private until they are approved. Nothing was changed."
            )
    reading_list.title = title
    reading_list.introduction = introduction
    reading_list.introduction_html = render_markdown(introduction) if introduction else ""
    reading_list.visibility = visibility
    reading_list.save()


def delete_list(*, reading_list):
    reading_list.delete()


def add_source(*, reading_list, source, note=""):
    """Add `source` at the end of the list; adding it twice is harmless."""
    if refusal := addition_refusal(reading_list, source):
        raise ListRefused(refusal)
    with transaction.atomic():
        locked = ReadingList.objects.select_for_update().get(pk=reading_list.pk)
        if locked.items.filter(source=source).exists():
            return
        if locked.items.count() >= ITEMS_PER_LIST:
            raise ListRefused(
                f"This list is full: a reading list holds at most {ITEMS_PER_LIST} sources. "
                "Nothing was added."
            )
        last = locked.items.aggregate(last=Max("position"))["last"] or 0
        try:
            with transaction.atomic():
                ListItem.objects.create(
                    reading_list=locked,
                    source=source,
                    source_title=source.title,
                    position=last + 1,
                    note=note,
                )
        except IntegrityError:
            return  # a double click raced us to it
        ReadingList.objects.filter(pk=locked.pk).update(
            item_count=F("item_count") + 1, updated_at=timezone.now()
        )
        _record_change(locked, ListChange.Kind.ADDED, source.title)


def remove_item(*, item):
    with transaction.atomic():
        deleted, _ = ListItem.objects.filter(pk=item.pk).delete()
        if deleted:
            ReadingList.objects.filter(pk=item.reading_list_id).update(
                item_count=F("item_count") - 1, updated_at=timezone.now()
            )
            _record_change(item.reading_list, ListChange.Kind.REMOVED, item.source_title)


def set_note(*, item, note):
    item.note = note
    item.save(update_fields=["note"])
    ReadingList.objects.filter(pk=item.reading_list_id).update(updated_at=timezone.now())


def move_item(*, item, direction):
    """Swap the item with its neighbour above ("up") or below ("down"); at an end, nothing."""
    with transaction.atomic():
        ReadingList.objects.select_for_update().get(pk=item.reading_list_id)
        siblings = ListItem.objects.filter(reading_list_id=item.reading_list_id)
        if direction == "up":
            neighbour = siblings.filter(position__lt=item.position).order_by("-position").first()
        else:
            neighbour = siblings.filter(position__gt=item.position).order_by("position").first()
        if neighbour is None:
            return
        item.position, neighbour.position = neighbour.position, item.position
        ListItem.objects.bulk_update([item, neighbour], ["position"])
        ReadingList.objects.filter(pk=item.reading_list_id).update(updated_at=timezone.now())


def copy_list(*, reading_list, member):
    """A new private list of `member`'s holding the sources of a public list still in the
    library, with its notes, as a start of their own."""
    items = reading_list.items.filter(source__status=Source.Status.APPROVED).select_related(
        "source"
    )
    items = list(items)
    copy = create_list(
        owner=member,
        title=f"{reading_list.title} (copy)"[:200],
        introduction=reading_list.introduction,
        sources=[item.source for item in items],
    )
    copy.copied_from = reading_list
    copy.save(update_fields=["copied_from"])
    notes = {item.source_id: item.note for item in items if item.note}
    if notes:
        copied = list(copy.items.filter(source_id__in=notes))
        for item in copied:
            item.note = notes[item.source_id]
        ListItem.objects.bulk_update(copied, ["note"])
    return copy


def set_follow(*, member, reading_list, follow):
    """Follow or stop following a public list; twice is harmless. Keeps its follower count."""
    with transaction.atomic():
        if follow:
            _, created = ListFollow.objects.get_or_create(member=member, reading_list=reading_list)
            change = 1 if created else 0
        else:
            deleted, _ = ListFollow.objects.filter(
                member=member, reading_list=reading_list
            ).delete()
            change = -deleted
        if change:
            ReadingList.objects.filter(pk=reading_list.pk).update(
                follower_count=F("follower_count") + change
            )


def hide_list(*, reading_list, moderator, reason):
    """A moderator hides a spammy list from everyone but its owner, in the public log."""
    if not is_moderator(moderator):
        raise ListRefused("Only moderators can hide a list.")
    if not reason.strip():
        raise ListRefused("Say why the list is hidden: the reason is shown in the public log.")
    with transaction.atomic():
        reading_list.hidden_at = timezone.now()
        reading_list.hidden_by = moderator
        reading_list.hidden_reason = reason
        reading_list.save(update_fields=["hidden_at", "hidden_by", "hidden_reason", "updated_at"])
        _log(ModerationEvent.Action.HIDE_LIST, reading_list, moderator=moderator, reason=reason)


def restore_list(*, reading_list, moderator, reason=""):
    """A moderator shows a hidden list again, in the public log."""
    if not is_moderator(moderator):
        raise ListRefused("Only moderators can restore a list.")
    if not reading_list.is_hidden:
        raise ListRefused("This list is not hidden.")
    with transaction.atomic():
        reading_list.hidden_at = None
        reading_list.hidden_by = None
        reading_list.hidden_reason = ""
        reading_list.save(update_fields=["hidden_at", "hidden_by", "hidden_reason", "updated_at"])
        _log(ModerationEvent.Action.RESTORE_LIST, reading_list, moderator=moderator, reason=reason)


def feature_list(*, reading_list, theme, moderator, feature=True, note=""):
    """A moderator features a public list on a theme's page ("Start here"), or stops; the
    optional note, why, goes into the public log."""
    if not is_moderator(moderator):
        raise ListRefused("Only moderators can feature a list.")
    if feature and not reading_list.is_public:
        raise ListRefused("Only public lists can be featured on a theme.")
    with transaction.atomic():
        if feature:
            _, created = FeaturedList.objects.get_or_create(
                theme=theme, reading_list=reading_list, defaults={"featured_by": moderator}
            )
            action = ModerationEvent.Action.FEATURE_LIST
        else:
            created = FeaturedList.objects.filter(theme=theme, reading_list=reading_list).delete()[
                0
            ]
            action = ModerationEvent.Action.UNFEATURE_LIST
        if created:
            _log(action, reading_list, moderator=moderator, reason=note, theme=theme)


def _log(action, reading_list, *, moderator, reason, theme=None):
    """Record the decision in the public moderation log, naming the list as it is titled now."""
    ModerationEvent.objects.create(
        action=action,
        reading_list=reading_list,
        reading_list_title=reading_list.title,
        theme=theme,
        actor=moderator,
        reason=reason.strip(),
    )


def _record_change(reading_list, kind, title):
    if reading_list.visibility == Visibility.PUBLIC:
        ListChange.objects.create(reading_list=reading_list, kind=kind, source_title=title)
