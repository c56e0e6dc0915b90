from django.core.management.base import BaseCommand

from sources.checks import link_health
from sources.models import Source


class Command(BaseCommand):
    help = (
        "Visit the address of every approved source not checked for LINK_CHECK_INTERVAL_HOURS, "
        "politely (one request at a time, spaced per host), and record what each answered."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--all",
            action="store_true",
            dest="check_all",
            help="check every approved link, due or not",
        )

    def handle(self, *args, check_all=False, **options):
        sources = None
        if check_all:
            sources = Source.objects.approved().exclude(url="").only("pk", "url").order_by("pk")
        link_health.check_links(sources=sources, report=self.stdout.write)
