"""Give decisions on reading lists their own actions in the moderation log.

Featuring a list on a theme, no longer featuring it, and hiding it were logged as "Reviewed",
with the list named in the reason ("Hid the reading list “Title” (address): why"). The events
now point at the list and keep its title; the ones already written are read back from their
reason and moved to the new actions, the reason keeping only the moderator's own words.
"""

import re

import django.db.models.deletion
from django.db import migrations, models

OLD_REASON = re.compile(
    r"(?P<what>Hid|Featured|Stopped featuring) the reading list “(?P<title>.*?)” "
    r"\((?P<address>\S+)\)(?:: (?P<reason>.*)|\.)",
    re.DOTALL,
)
ACTIONS = {"Hid": "hide_list", "Featured": "feature_list", "Stopped featuring": "unfeature_list"}
WORDS = {**{action: what for what, action in ACTIONS.items()}, "restore_list": "Restored"}
SLUG_IN_ADDRESS = re.compile(r"/lists/(?P<slug>[^/]+)/$")


def forwards(apps, schema_editor):
    ModerationEvent = apps.get_model("sources", "ModerationEvent")
    ReadingList = apps.get_model("lists", "ReadingList")
    # Only the lists' events were logged as "Reviewed" without a source.
    old_events = ModerationEvent.objects.filter(action="review", source__isnull=True)
    for event in old_events:
        found = OLD_REASON.fullmatch(event.reason)
        if found is None:
            continue
        slug = SLUG_IN_ADDRESS.search(found["address"])
        event.action = ACTIONS[found["what"]]
        event.reading_list = ReadingList.objects.filter(slug=slug["slug"]).first() if slug else None
        event.reading_list_title = found["title"][:200]
        event.reason = found["reason"] or ""
        event.save(update_fields=["action", "reading_list", "reading_list_title", "reason"])


def backwards(apps, schema_editor):
    ModerationEvent = apps.get_model("sources", "ModerationEvent")
    events = ModerationEvent.objects.filter(action__in=WORDS).select_related("reading_list")
    for event in events:
        address = f"/lists/{event.reading_list.slug}/" if event.reading_list else "deleted"
        text = f"{WORDS[event.action]} the reading list “{event.reading_list_title}” ({address})"
        event.reason = f"{text}: {event.reason}" if event.reason else f"{text}."
        event.action = "review"
        event.save(update_fields=["action", "reason"])


class Migration(migrations.Migration):
    dependencies = [
        ("lists", "0001_initial"),
        ("sources", "0020_contributors_from_authors"),
    ]

    operations = [
        migrations.AddField(
            model_name="moderationevent",
            name="reading_list",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="events",
                to="lists.readinglist",
            ),
        ),
        migrations.AddField(
            model_name="moderationevent",
            name="reading_list_title",
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.AlterField(
            model_name="moderationevent",
            name="action",
            field=models.CharField(
                choices=[
                    ("submit", "Submitted"),
                    ("resubmit", "Resubmitted"),
                    ("approve", "Approved"),
                    ("decline", "Declined"),
                    ("request_changes", "Asked for changes"),
                    ("withdraw", "Withdrawn"),
                    ("retire", "Retired"),
                    ("hide_comment", "Hid a comment"),
                    ("restore_comment", "Restored a comment"),
                    ("update_url", "Updated the address"),
                    ("retraction", "Retraction found"),
                    ("concern", "Expression of concern found"),
                    ("review", "Reviewed"),
                    ("supersede", "Marked as superseded"),
                    ("feature_list", "Featured a reading list"),
                    ("unfeature_list", "Stopped featuring a reading list"),
                    ("hide_list", "Hid a reading list"),
                    ("restore_list", "Restored a reading list"),
                ],
                max_length=20,
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
