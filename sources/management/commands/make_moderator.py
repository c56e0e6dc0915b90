"""Give a member the moderator role (the Moderators group), or take it away with --remove.

The role is also given in the admin (Users, then Groups); this is the way in on a new site,
before anyone is there to use the admin for it.
"""

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

MODERATORS = "Moderators"


def find_user(identifier):
    """The user whose username or e-mail address (any of theirs) is `identifier`."""
    users = get_user_model().objects.filter(
        Q(username__iexact=identifier)
        | Q(email__iexact=identifier)
        | Q(pk__in=EmailAddress.objects.filter(email__iexact=identifier).values("user"))
    )
    found = list(users.distinct()[:2])
    if not found:
        raise CommandError(f"No account has the username or e-mail address {identifier!r}.")
    if len(found) > 1:
        raise CommandError(f"{identifier!r} matches more than one account: give the username.")
    return found[0]


class Command(BaseCommand):
    help = "Make a member a moderator (or, with --remove, no longer one), by username or e-mail."

    def add_arguments(self, parser):
        parser.add_argument("identifier", help="the member's username or e-mail address")
        parser.add_argument("--remove", action="store_true", help="take the role away")

    def handle(self, *args, identifier, remove, **options):
        user = find_user(identifier.strip())
        try:
            group = Group.objects.get(name=MODERATORS)
        except Group.DoesNotExist:
            raise CommandError(
                "The Moderators group is missing: run `manage.py migrate`."
            ) from None
        if remove:
            group.user_set.remove(user)
            self.stdout.write(self.style.SUCCESS(f"{user.username} is no longer a moderator."))
            return
        if group.user_set.filter(pk=user.pk).exists():
            self.stdout.write(f"{user.username} is already a moderator.")
        else:
            group.user_set.add(user)
            self.stdout.write(self.style.SUCCESS(f"{user.username} is now a moderator."))
        if not EmailAddress.objects.filter(user=user, verified=True).exists():
            self.stdout.write(
                self.style.WARNING(
                    "Their e-mail address is not verified yet: the role takes effect once they "
                    "follow the link in the verification e-mail (printed in the console under "
                    "`make run`)."
                )
            )
