"""`createsuperuser` whose new administrator can log in at once.

Log-in needs a verified e-mail address (ACCOUNT_EMAIL_VERIFICATION = "mandatory"), and an
administrator made on the command line has no way to receive the confirmation e-mail yet, so the
address given here counts as verified: whoever runs this command already controls the server.
"""

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.management.commands import createsuperuser


class Command(createsuperuser.Command):
    help = "Create an administrator whose e-mail address counts as verified."

    def handle(self, *args, **options):
        database = options["database"]
        admins = get_user_model()._default_manager.db_manager(database).filter(is_superuser=True)
        existing = set(admins.values_list("pk", flat=True))
        super().handle(*args, **options)
        for admin in admins.exclude(pk__in=existing).exclude(email=""):
            EmailAddress.objects.db_manager(database).update_or_create(
                user=admin,
                email=admin.email,
                defaults={"verified": True, "primary": True},
            )
