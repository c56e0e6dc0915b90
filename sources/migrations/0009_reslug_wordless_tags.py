"""Give every stored tag a slug its page can be reached at.

Tags made only of emoji or punctuation were stored with an empty slug (or "_1", "_2"...), and
a link to their page could not be built, so every page showing such a tag failed. Each gets
the slug "tag-<id>"; a tag in any alphabet keeps its slug, which the tag URL now accepts.
"""

import re

from django.db import migrations
from django.utils.text import slugify

REACHABLE = re.compile(r"^[-\w]+\Z")


def reslug(apps, schema_editor):
    Tag = apps.get_model("taggit", "Tag")
    for tag in Tag.objects.all():
        wordless = not any(c.isalnum() for c in slugify(tag.name, allow_unicode=True))
        if wordless or not REACHABLE.match(tag.slug):
            tag.slug = f"tag-{tag.pk}"
            tag.save(update_fields=["slug"])


class Migration(migrations.Migration):
    dependencies = [
        ("sources", "0008_approved_has_date"),
        ("taggit", "0001_initial"),
    ]

    operations = [migrations.RunPython(reslug, migrations.RunPython.noop)]
