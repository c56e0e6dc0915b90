"""Fill a development database with invented members, sources, endorsements and discussions."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from qlibrary.demo_data import DEFAULTS, DEMO_PASSWORD, Counts, DemoDataError, Reporter, generate

REFUSAL = (
    "This fills the database with invented data; DEBUG is off, so this looks like production. "
    "Use --force if you really mean it."
)


def non_negative(value):
    number = int(value)
    if number < 0:
        raise ValueError(value)
    return number


def positive_float(value):
    number = float(value)
    if not number > 0:
        raise ValueError(value)
    return number


class ConsoleReporter(Reporter):
    """Batch progress on one rewritten line on a terminal; one line per tenth otherwise."""

    def __init__(self, stdout):
        self.stdout = stdout
        self.tty = stdout.isatty()
        self.shown = {}

    def progress(self, phase, done, total):
        if not total:
            return
        if self.tty:
            self.stdout.write(f"  {phase}: {done}/{total}", ending="\r")
            self.stdout.flush()
            return
        tenth = done * 10 // total
        if done and tenth != self.shown.get(phase) and done < total:
            self.shown[phase] = tenth
            self.stdout.write(f"  {phase}: {done}/{total}")

    def finished(self, phase, total, seconds):
        done = "done" if total is None else f"{total}/{total}"
        # On a terminal, blanks wipe what is left of a longer progress line.
        padding = " " * 10 if self.tty else ""
        self.stdout.write(f"  {phase}: {done} ({seconds:.1f} s){padding}")


class Command(BaseCommand):
    help = (
        "Add invented demo data on top of what is here (nothing is deleted): members, sources, "
        "endorsements and comments, at the scale given. For development databases only."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=positive_float,
            default=1.0,
            help="Multiply every default count (e.g. 0.01 for a quick run); flags override.",
        )
        for name, default in zip(
            ("sources", "comments", "endorsements", "members"), DEFAULTS.as_tuple(), strict=True
        ):
            parser.add_argument(
                f"--{name}", type=non_negative, help=f"How many {name} (default {default} × scale)."
            )
        parser.add_argument("--seed", type=int, default=1, help="Same seed, same data (default 1).")
        parser.add_argument("--force", action="store_true", help="Run even though DEBUG is off.")

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError(REFUSAL)
        scaled = DEFAULTS.scaled(options["scale"])
        counts = Counts(
            *(
                scaled_value if options[name] is None else options[name]
                for name, scaled_value in zip(
                    ("sources", "comments", "endorsements", "members"),
                    scaled.as_tuple(),
                    strict=True,
                )
            )
        )
        self.stdout.write(
            f"Generating demo data (seed {options['seed']}): {counts.members} members, "
            f"{counts.sources} sources, {counts.endorsements} endorsements, "
            f"{counts.comments} comments."
        )
        try:
            summary = generate(counts, seed=options["seed"], reporter=ConsoleReporter(self.stdout))
        except DemoDataError as error:
            raise CommandError(str(error)) from None
        made = ", ".join(f"{number} {phase}" for phase, number in summary.counts.items())
        self.stdout.write(
            self.style.SUCCESS(f"Demo data added in {summary.seconds:.1f} s: {made}.")
        )
        self.stdout.write(
            f"Every demo account's password is {DEMO_PASSWORD!r}; demo-moderator-1 and "
            "demo-moderator-2 are moderators."
        )
