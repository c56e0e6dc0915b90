from django.core.management.base import BaseCommand

from sources.checks import retractions
from sources.models import Source


class Command(BaseCommand):
    help = (
        "Look up each approved source's DOI in Crossref (not done for "
        "RETRACTION_CHECK_INTERVAL_DAYS) for retractions, expressions of concern and corrections."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--all",
            action="store_true",
            dest="check_all",
            help="look up every approved source with a DOI, due or not",
        )

    def handle(self, *args, check_all=False, **options):
        sources = None
        if check_all:
            sources = Source.objects.approved().exclude(doi="").only("pk", "doi").order_by("pk")
        retractions.check_sources(sources=sources, report=self.stdout.write)
