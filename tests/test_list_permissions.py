"""Nobody changes another's list: every write URL of reading lists, for each role (a reader, a
member who does not own the list, its owner, a moderator), with the state checked after."""

import pytest

from sources.lists import services
from sources.lists.models import FeaturedList, ListItem, ReadingList

from .factories import MemberFactory, ModeratorFactory, SourceFactory
from .permission_matrix import DONE, FORBIDDEN, LOGIN, NOT_FOUND, OK, check, table_for

pytestmark = pytest.mark.django_db

table = table_for(["anonymous", "member", "owner", "moderator"])


@pytest.fixture
def owner(db):
    return MemberFactory(username="owner", display_name="Olive Owner")


@pytest.fixture
def sources(theme):
    return [SourceFactory(title=f"Source {n}", themes=[theme]) for n in range(3)]


@pytest.fixture
def reading_list(owner, sources):
    return services.create_list(
        owner=owner, title="Owned", visibility="public", sources=sources[:2]
    )


def items(reading_list):
    return [
        (item.source_id, item.note) for item in ListItem.objects.filter(reading_list=reading_list)
    ]


# What each write asks, and what shows it was done.
WRITES = {
    "edit": (
        lambda rl, s, t: (f"/lists/{rl.slug}/edit/", {"title": "Changed", "visibility": "public"}),
        lambda rl: ReadingList.objects.get(pk=rl.pk).title == "Changed",
    ),
    "add": (
        lambda rl, s, t: (f"/lists/{rl.slug}/add/", {"source": s[2].slug}),
        lambda rl: rl.items.count() == 3,
    ),
    "note": (
        lambda rl, s, t: (
            f"/lists/{rl.slug}/items/{rl.items.first().pk}/note/",
            {f"item-{rl.items.first().pk}-note": "Mine now"},
        ),
        lambda rl: rl.items.filter(note="Mine now").exists(),
    ),
    "move": (
        lambda rl, s, t: (f"/lists/{rl.slug}/items/{rl.items.first().pk}/down/", {}),
        lambda rl: rl.items.first().source.title == "Source 1",
    ),
    "remove": (
        lambda rl, s, t: (f"/lists/{rl.slug}/items/{rl.items.first().pk}/remove/", {}),
        lambda rl: rl.items.count() == 1,
    ),
    "delete": (
        lambda rl, s, t: (f"/lists/{rl.slug}/delete/", {}),
        lambda rl: not ReadingList.objects.filter(pk=rl.pk).exists(),
    ),
}


@pytest.mark.parametrize("write", list(WRITES))
@table(anonymous=LOGIN, member=NOT_FOUND, owner=DONE, moderator=NOT_FOUND)
def test_only_the_owner_changes_a_list(
    client_as, persona, expected, write, reading_list, sources, theme
):
    make, done = WRITES[write]
    url, data = make(reading_list, sources, theme)
    before = items(reading_list)
    response = client_as(persona).post(url, data)
    check(response, expected, url)
    if expected == DONE:
        assert done(reading_list)
    else:
        assert items(reading_list) == before
        assert ReadingList.objects.get(pk=reading_list.pk).title == "Owned"


@table(anonymous=LOGIN, member=NOT_FOUND, owner=OK, moderator=NOT_FOUND)
def test_only_the_owner_opens_the_edit_page(client_as, persona, expected, reading_list):
    url = f"/lists/{reading_list.slug}/edit/"
    response = client_as(persona).get(url)
    check(response, expected, url)
    if expected == OK:
        assert "Move down" in response.content.decode()


@table(anonymous=NOT_FOUND, member=NOT_FOUND, owner=OK, moderator=NOT_FOUND)
def test_a_private_list_is_its_owners_alone(client_as, persona, expected, owner, sources):
    private = services.create_list(owner=owner, title="Private", sources=sources)
    url = private.get_absolute_url()
    check(client_as(persona).get(url), expected, url)
    export = f"{url}export/ris/"
    check(client_as(persona).get(export), expected, export)


@table(anonymous=LOGIN, member=FORBIDDEN, owner=FORBIDDEN, moderator=DONE)
def test_only_moderators_hide_a_list(client_as, persona, expected, reading_list):
    url = f"/lists/{reading_list.slug}/hide/"
    response = client_as(persona).post(url, {"reason": "Spam"})
    check(response, expected, url)
    assert ReadingList.objects.get(pk=reading_list.pk).is_hidden == (expected == DONE)


@table(anonymous=LOGIN, member=FORBIDDEN, owner=FORBIDDEN, moderator=DONE)
def test_only_moderators_restore_a_hidden_list(client_as, persona, expected, reading_list):
    services.hide_list(reading_list=reading_list, moderator=ModeratorFactory(), reason="Spam")
    url = f"/lists/{reading_list.slug}/restore/"
    response = client_as(persona).post(url, {"reason": "Not spam after all"})
    check(response, expected, url)
    assert ReadingList.objects.get(pk=reading_list.pk).is_hidden == (expected != DONE)


@table(anonymous=LOGIN, member=FORBIDDEN, owner=FORBIDDEN, moderator=DONE)
def test_only_moderators_feature_a_list(client_as, persona, expected, reading_list, theme):
    url = f"/lists/{reading_list.slug}/feature/"
    response = client_as(persona).post(url, {"theme": theme.pk})
    check(response, expected, url)
    assert FeaturedList.objects.filter(reading_list=reading_list).exists() == (expected == DONE)


@table(anonymous=LOGIN, member=DONE, owner=DONE, moderator=DONE)
def test_members_copy_and_follow_a_public_list(client_as, persona, expected, reading_list):
    client = client_as(persona)
    for action in ("copy", "follow"):
        url = f"/lists/{reading_list.slug}/{action}/"
        check(client.post(url), expected, url)
    copies = ReadingList.objects.filter(copied_from=reading_list).count()
    assert copies == (1 if expected == DONE else 0)
    assert reading_list.follows.count() == (1 if expected == DONE else 0)


@table(anonymous=LOGIN, member=DONE, owner=DONE, moderator=DONE)
def test_members_save_their_selection(client_as, persona, expected, sources):
    client = client_as(persona)
    client.post("/basket/add/", {"source": sources[0].slug})
    check(client.post("/basket/save/"), expected, "/basket/save/")
    assert ReadingList.objects.filter(title="My selection").count() == (expected == DONE)


def test_every_write_needs_a_csrf_token(owner, reading_list):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    for url in (f"/lists/{reading_list.slug}/delete/", f"/lists/{reading_list.slug}/edit/"):
        assert client.post(url, {"title": "x", "visibility": "private"}).status_code == 403
    assert ReadingList.objects.filter(pk=reading_list.pk, title="Owned").exists()


def test_an_unknown_change_to_an_item_is_a_404_and_changes_nothing(client, owner, reading_list):
    client.force_login(owner)
    item = reading_list.items.first()
    before = items(reading_list)
    response = client.post(f"/lists/{reading_list.slug}/items/{item.pk}/sideways/")
    assert response.status_code == 404
    assert items(reading_list) == before
