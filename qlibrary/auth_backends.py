"""The one authentication backend: allauth's, checking each account's password at most once."""

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Exists, OuterRef, Q

from sources.access import MODERATE


class AuthenticationBackend(AllauthBackend):
    """allauth's backend (username or e-mail, is_active, permissions), with one password check
    per account and attempt.

    An e-mail address typed at the log-in is tried as an address and, since a username may look
    like one, as a username too: allauth would then hash a wrong password twice against the same
    account, a right one once, and an unknown address once, so the answer's time would tell a
    right password from a wrong one. Skipping the repeat makes every attempt cost one hash.
    """

    def authenticate(self, request, **credentials):
        self._checked_accounts = set()
        return super().authenticate(request, **credentials)

    def _check_password(self, user, password):
        if user is not None:
            if user.pk in self._checked_accounts:
                return None  # Already refused in this attempt: the same password, the same hash.
            self._checked_accounts.add(user.pk)
        return super()._check_password(user, password)

    def get_user(self, user_id):
        """The signed-in person, read with the two roles every page asks about them
        (sources/access.py): whether their e-mail address is verified, and whether they hold the
        moderators' permission directly or through a group. One query instead of four."""
        app_label, codename = MODERATE.split(".")
        permission = Permission.objects.filter(codename=codename, content_type__app_label=app_label)
        user_model = get_user_model()
        try:
            user = user_model._default_manager.annotate(
                has_verified_email=Exists(
                    EmailAddress.objects.filter(user=OuterRef("pk"), verified=True)
                ),
                holds_moderator_permission=Exists(
                    permission.filter(Q(user=OuterRef("pk")) | Q(group__user=OuterRef("pk")))
                ),
            ).get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
