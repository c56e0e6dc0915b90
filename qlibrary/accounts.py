"""django-allauth in the site's own voice: field labels in its wording, and e-mails that come
from the site's name and public address (SITE_URL), not from whatever host served the request.
Its e-mails (verification, password reset, notices) go through the outbox like every other
message, so they are retried and never lost."""

from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from allauth.account import forms as allauth_forms
from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from django.conf import settings

from qlibrary.outbox import mail
from sources.text import CleanTextMixin


@dataclass(frozen=True)
class PublicSite:
    """What allauth's e-mail templates call `current_site`."""

    name: str
    domain: str


def public_site():
    return PublicSite(name=settings.SITE_NAME, domain=urlsplit(settings.SITE_URL).netloc)


def on_public_site(url):
    """The same link on the public address: the request may have come in by another host name."""
    site, link = urlsplit(settings.SITE_URL), urlsplit(url)
    return urlunsplit((site.scheme, site.netloc, link.path, link.query, link.fragment))


class AccountAdapter(DefaultAccountAdapter):
    def get_email_confirmation_url(self, request, emailconfirmation):
        return on_public_site(super().get_email_confirmation_url(request, emailconfirmation))

    def get_reset_password_from_key_url(self, key):
        return on_public_site(super().get_reset_password_from_key_url(key))

    def send_mail(self, template_prefix, email, context_data):
        """Render the message as allauth does, in the site's name, then queue it in the outbox
        instead of sending it now."""
        data = {
            "request": context.request,
            "email": email,
            **context_data,
            "current_site": public_site(),
            "site_url": settings.SITE_URL.rstrip("/"),
        }
        message = self.render_mail(template_prefix, email, data)
        mail.queue_message(message, kind="account:" + template_prefix.rsplit("/", 1)[-1])


def _relabel(form, labels):
    """The site's labels; allauth's placeholders go, since every field has a visible label."""
    for name, label in labels.items():
        if name in form.fields:
            form.fields[name].label = label
    for field in form.fields.values():
        field.widget.attrs.pop("placeholder", None)


class LoginForm(CleanTextMixin, allauth_forms.LoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _relabel(
            self,
            {
                "login": "Username or e-mail address",
                "password": "Password",
                "remember": "Keep me logged in on this device",
            },
        )
        # The page offers "Forgot your password?" itself, below the form.
        self.fields["password"].help_text = ""


class SignupForm(CleanTextMixin, allauth_forms.SignupForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _relabel(
            self,
            {
                "username": "Username",
                "email": "E-mail address",
                "password1": "Password",
                "password2": "Password again",
            },
        )
        self.fields[
            "username"
        ].help_text = "Shown on your profile's address. Letters, digits and @ . + - _ only."
        self.fields[
            "email"
        ].help_text = "We send a link to confirm it. Nobody else sees it (see the privacy page)."


class AddEmailForm(CleanTextMixin, allauth_forms.AddEmailForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _relabel(self, {"email": "E-mail address"})


class ChangePasswordForm(CleanTextMixin, allauth_forms.ChangePasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _relabel(
            self,
            {
                "oldpassword": "Current password",
                "password1": "New password",
                "password2": "New password again",
            },
        )


class ResetPasswordForm(CleanTextMixin, allauth_forms.ResetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _relabel(self, {"email": "E-mail address"})


class ResetPasswordKeyForm(CleanTextMixin, allauth_forms.ResetPasswordKeyForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _relabel(self, {"password1": "New password", "password2": "New password again"})
