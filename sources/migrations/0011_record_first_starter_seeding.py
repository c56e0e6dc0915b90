"""Record what the first starter library wrote into each starter source, so that seeding again
can bring the bibliographic facts up to date without touching a field a moderator has edited.

A field whose value still equals what the first seeding wrote is recorded as seeded; a field that
differs was edited and is left out, so `seed_library` never overwrites it.
"""

from django.db import migrations

FIELDS = ("title", "authors", "organisation", "year", "url", "doi")

# The values the first version of the starter library gave each source (by slug).
FIRST_SEEDING = {
    "against-the-odds": {
        "authors": "",
        "doi": "",
        "organisation": "The Health Foundation",
        "title": "Against the Odds",
        "url": "",
        "year": None,
    },
    "closing-the-gap-through-clinical-communities": {
        "authors": "",
        "doi": "",
        "organisation": "The Health Foundation",
        "title": "Closing the gap through Clinical Communities: programme evaluation",
        "url": "",
        "year": None,
    },
    "constructive-comfort": {
        "authors": "",
        "doi": "",
        "organisation": "The Health Foundation",
        "title": "Constructive comfort: accelerating change in the NHS",
        "url": "",
        "year": None,
    },
    "culture-and-behaviour-in-the-english-nhs": {
        "authors": "Mary Dixon-Woods, Michael West and colleagues",
        "doi": "",
        "organisation": "",
        "title": "Culture and behaviour in the English "
        "National Health Service: overview of "
        "lessons from a large multimethod study",
        "url": "",
        "year": None,
    },
    "does-quality-improvement-improve-quality": {
        "authors": "",
        "doi": "",
        "organisation": "",
        "title": "Does Quality Improvement Improve Quality?",
        "url": "",
        "year": None,
    },
    "effective-networks-for-improvement": {
        "authors": "",
        "doi": "",
        "organisation": "The Health Foundation",
        "title": "Effective Networks for Improvement",
        "url": "",
        "year": None,
    },
    "engaging-patients-to-improve-quality-of-care": {
        "authors": "",
        "doi": "",
        "organisation": "",
        "title": "Engaging patients to improve quality of care: a systematic review",
        "url": "",
        "year": None,
    },
    "getting-more-health-from-healthcare": {
        "authors": "",
        "doi": "",
        "organisation": "",
        "title": "Getting more health from healthcare: quality "
        "improvement must acknowledge patient "
        "co-production",
        "url": "",
        "year": None,
    },
    "health-foundation-thinking-on-context": {
        "authors": "",
        "doi": "",
        "organisation": "The Health Foundation",
        "title": "The Health Foundation's thinking on context",
        "url": "",
        "year": None,
    },
    "implementing-evidence-based-medicine": {
        "authors": "Trish Greenhalgh",
        "doi": "",
        "organisation": "",
        "title": "Implementing Evidence Based Medicine",
        "url": "",
        "year": None,
    },
    "new-power": {
        "authors": "Jeremy Heimans and Henry Timms",
        "doi": "",
        "organisation": "",
        "title": "#NewPower",
        "url": "",
        "year": None,
    },
    "overcoming-challenges-to-improving-quality": {
        "authors": "",
        "doi": "",
        "organisation": "The Health Foundation",
        "title": "Overcoming challenges to improving quality",
        "url": "",
        "year": None,
    },
    "quality-management-systems-scotland": {
        "authors": "",
        "doi": "",
        "organisation": "Healthcare Improvement Scotland",
        "title": "Quality Management Systems: Scotland's work",
        "url": "",
        "year": None,
    },
    "safer-clinical-systems-evaluation": {
        "authors": "",
        "doi": "",
        "organisation": "The Health Foundation",
        "title": "Safer clinical systems evaluation",
        "url": "",
        "year": None,
    },
    "scaling-up-improvement": {
        "authors": "",
        "doi": "",
        "organisation": "The Health Foundation",
        "title": "Scaling Up Improvement programme",
        "url": "",
        "year": None,
    },
    "skilled-for-improvement": {
        "authors": "",
        "doi": "",
        "organisation": "The Health Foundation",
        "title": "Skilled for improvement",
        "url": "",
        "year": None,
    },
    "social-franchising-and-licensing": {
        "authors": "",
        "doi": "",
        "organisation": "The Health Foundation",
        "title": "Exploring social franchising and licensing programme",
        "url": "",
        "year": None,
    },
    "source4networks": {
        "authors": "",
        "doi": "",
        "organisation": "NHS Improvement",
        "title": "Source4Networks",
        "url": "",
        "year": None,
    },
    "the-big-room": {
        "authors": "",
        "doi": "",
        "organisation": "Flow Coaching Academy",
        "title": "The Big Room methodology",
        "url": "",
        "year": None,
    },
    "the-improvement-journey": {
        "authors": "",
        "doi": "",
        "organisation": "",
        "title": "The improvement journey",
        "url": "",
        "year": None,
    },
    "the-spread-challenge": {
        "authors": "",
        "doi": "",
        "organisation": "The Health Foundation",
        "title": "The spread challenge",
        "url": "",
        "year": None,
    },
    "visit-to-healthcare-improvement-scotland": {
        "authors": "",
        "doi": "",
        "organisation": "Q community",
        "title": "Visit to Healthcare Improvement Scotland: "
        "sustaining improvement through Quality "
        "Management Systems",
        "url": "https://q.health.org.uk/event/visit-to-healthcare-improvement-scotland-sustaining-improvement-through-quality-management-systems/",
        "year": None,
    },
    "whole-system-flow": {
        "authors": "",
        "doi": "",
        "organisation": "The Health Foundation",
        "title": "The challenge and potential of whole system flow",
        "url": "",
        "year": None,
    },
}


def record_first_seeding(apps, schema_editor):
    Source = apps.get_model("sources", "Source")
    starters = Source.objects.filter(
        slug__in=FIRST_SEEDING, proposer__isnull=True, seeded_values={}
    )
    for source in starters:
        first = FIRST_SEEDING[source.slug]
        source.seeded_values = {
            field: first[field] for field in FIELDS if getattr(source, field) == first[field]
        }
        source.save(update_fields=["seeded_values"])


class Migration(migrations.Migration):
    dependencies = [("sources", "0010_source_imported_and_seeded_values")]

    operations = [migrations.RunPython(record_first_seeding, migrations.RunPython.noop)]
