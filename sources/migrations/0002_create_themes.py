"""Create the library's three priority themes, in the project's own words."""

from django.db import migrations

THEMES = [
    {
        "slug": "skills-and-perspectives",
        "title": "Bringing together all the skills and perspectives needed",
        "summary": (
            "Change holds up better when the people who use, deliver and run a service all shape "
            "it, and when the team can draw on every skill the work calls for."
        ),
        "body": (
            "Under pressure, teams tend to reach for the people and methods nearest to hand. "
            "The result can be a fix that makes sense from one seat in the room but not from "
            "the others, and that struggles to last.\n\n"
            "The evidence gathered here looks at which skills improvement work depends on, at "
            "patients and carers as co-producers of care rather than its recipients, and at "
            "methods that put many viewpoints around one problem, across organisations as well "
            "as within them."
        ),
        "display_order": 1,
    },
    {
        "slug": "aligning-action",
        "title": "Aligning action at all levels in the system",
        "summary": (
            "Frontline improvement thrives or stalls with its context: incentives, culture, "
            "budgets and priorities set elsewhere in the system."
        ),
        "body": (
            "Change driven only from the centre can lose touch with what happens at the point "
            "of care; change that grows only from the frontline can fade once the early energy "
            "is spent. Complex change usually needs action at several levels at once.\n\n"
            "The sources in this theme examine how context shapes results, how competing "
            "priorities can pull teams in different directions, how organisations build mature, "
            "organisation-wide approaches to improvement, and how quality management systems "
            "and new forms of power can help the levels pull together."
        ),
        "display_order": 2,
    },
    {
        "slug": "peer-networks",
        "title": "Nurturing peer networks to enable iterative learning and spread",
        "summary": (
            "What one place learns should reach every place that could benefit; peer networks "
            "are an important part of how that happens."
        ),
        "body": (
            "Piloting an idea and then pushing it out does not reliably spread it. Attention is "
            "moving towards the people and organisations who adopt an idea, and towards the "
            "networks that help them learn from one another as they adapt it.\n\n"
            "This theme collects work on spreading and scaling improvement, on what makes a "
            "network effective, and practical resources for people who run networks."
        ),
        "display_order": 3,
    },
]


def create_themes(apps, schema_editor):
    Theme = apps.get_model("sources", "Theme")
    for theme in THEMES:
        Theme.objects.update_or_create(slug=theme["slug"], defaults=theme)


def remove_themes(apps, schema_editor):
    Theme = apps.get_model("sources", "Theme")
    Theme.objects.filter(slug__in=[theme["slug"] for theme in THEMES]).delete()


class Migration(migrations.Migration):
    dependencies = [("sources", "0001_initial")]

    operations = [migrations.RunPython(create_themes, remove_themes)]
