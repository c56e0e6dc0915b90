"""The member's data download holds what they follow and their weekly digest choice."""

import json

import pytest
from django.urls import reverse

from sources.library.following import set_follow

from .factories import SourceFactory

pytestmark = pytest.mark.django_db


def test_the_data_download_holds_what_the_member_follows_and_their_digest_choice(
    client, member, theme, settings
):
    settings.SITE_URL = "https://library.example.org"
    source = SourceFactory(title="Followed report", themes=[theme])
    set_follow(member=member, follow=True, theme=theme)
    set_follow(member=member, follow=True, source=source)
    member.weekly_digest = False
    member.save(update_fields=["weekly_digest"])
    client.force_login(member)

    data = json.loads(client.get(reverse("download_my_data")).content)

    assert data["profile"]["notifications"]["weekly_digest"] is False
    following = [{k: v for k, v in row.items() if k != "since"} for row in data["following"]]
    assert following == [
        {"theme": theme.title, "page": f"https://library.example.org{theme.get_absolute_url()}"},
        {
            "source": "Followed report",
            "page": f"https://library.example.org{source.get_absolute_url()}",
        },
    ]
    assert all(row["since"] for row in data["following"])
