"""The one authentication backend: allauth's, checking each account's password at most once."""

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend


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
