"""Public reading lists in the read-only API (registered on sources/opendata/api.py's NinjaAPI)."""

from datetime import datetime

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.decorators import decorate_view

from sources.lists.models import ReadingList
from sources.models import Source
from sources.opendata.api import ERRORS, ITEM_ERRORS, Text, with_etag

router = Router(tags=["reading lists"])
NEWEST = 100


class ListOut(Schema):
    slug: str
    title: str
    owner: str = Field(description="The member who keeps the list, by their public name.")
    introduction: str = Field(description="The list's introduction, in Markdown.")
    url: str = Field(description="The list's page on the site.")
    item_count: int
    follower_count: int
    created_at: datetime
    updated_at: datetime


class ItemSourceOut(Schema):
    slug: str
    title: str
    url: str = Field(description="The source's page on the site.")


class ItemOut(Schema):
    position: int
    title: str
    note: str = Field(description="Why the owner asks to read it.")
    in_library: bool = Field(description="False once the source has left the library.")
    source: ItemSourceOut | None = Field(description="The source, while it is in the library.")


class ListDetailOut(ListOut):
    items: list[ItemOut]


def _list_data(reading_list):
    return {
        "slug": reading_list.slug,
        "title": reading_list.title,
        "owner": reading_list.owner.public_name,
        "introduction": reading_list.introduction,
        "url": reading_list.get_absolute_url(),
        "item_count": reading_list.item_count,
        "follower_count": reading_list.follower_count,
        "created_at": reading_list.created_at,
        "updated_at": reading_list.updated_at,
    }


def _item_data(position, item):
    source = item.source
    in_library = source is not None and source.status == Source.Status.APPROVED
    return {
        "position": position,
        "title": source.title if in_library else item.source_title,
        "note": item.note,
        "in_library": in_library,
        "source": {"slug": source.slug, "title": source.title, "url": source.get_absolute_url()}
        if in_library
        else None,
    }


def list_detail_data(reading_list):
    """A public list with its items, as the API gives it (the open data's too)."""
    items = reading_list.items.select_related("source").exclude(
        source__status__in=Source.OPEN_STATUSES
    )
    return {
        **_list_data(reading_list),
        "items": [_item_data(number, item) for number, item in enumerate(items, start=1)],
    }


def public_lists_data():
    """Every public list with its items, for the open-data download."""
    lists = ReadingList.objects.public().select_related("owner").newest()
    return [
        ListDetailOut.model_validate(list_detail_data(reading_list)).model_dump()
        for reading_list in lists
    ]


@router.get("/", response={200: list[ListOut], **ERRORS})
@decorate_view(with_etag)
def list_lists(request):
    """The newest public reading lists (at most 100)."""
    lists = ReadingList.objects.public().select_related("owner").newest()[:NEWEST]
    return [_list_data(reading_list) for reading_list in lists]


@router.get("/{slug}/", response={200: ListDetailOut, **ITEM_ERRORS})
@decorate_view(with_etag)
def get_list(request, slug: Text):
    """One public reading list with its sources in order; one that left the library keeps its
    title and note, without the source."""
    reading_list = get_object_or_404(
        ReadingList.objects.public().select_related("owner"), slug=slug
    )
    return list_detail_data(reading_list)
