from django.db import migrations, models
from django.db.models import F
from django.utils import timezone


def from_updated_at(apps, schema_editor):
    Source = apps.get_model("sources", "Source")
    Source.objects.update(record_updated_at=F("updated_at"))


class Migration(migrations.Migration):
    dependencies = [("sources", "0023_source_rendered_citations")]

    operations = [
        migrations.AddField(
            model_name="source",
            name="record_updated_at",
            field=models.DateTimeField(auto_now=True, default=timezone.now),
            preserve_default=False,
        ),
        migrations.RunPython(from_updated_at, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="source",
            index=models.Index(fields=["record_updated_at"], name="source_record_updated_at"),
        ),
    ]
