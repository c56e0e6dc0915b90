"""The site's account adapter: allauth's e-mails (verification, password reset, notices) go
through the outbox like every other message, so they are retried and never lost."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from django.contrib.sites.shortcuts import get_current_site

from sources.outbox import mail


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix, email, context_data):
        """Render the message as allauth does, then queue it instead of sending it now."""
        request = context.request
        ctx = {"request": request, "email": email, "current_site": get_current_site(request)}
        ctx.update(context_data)
        message = self.render_mail(template_prefix, email, ctx)
        mail.queue_message(message, kind="account:" + template_prefix.rsplit("/", 1)[-1])
