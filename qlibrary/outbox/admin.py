from django.contrib import admin, messages

from . import mail
from .models import OutgoingEmail


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    """Staff see every queued message; failed ones (filter "Failed after every retry") can be
    sent again with the "Retry" action once the mail server is fixed."""

    list_display = ["subject", "kind", "recipients", "status", "attempts", "last_error_short"]
    list_filter = ["status", "kind"]
    search_fields = ["subject", "to"]
    date_hierarchy = "created_at"
    actions = ["retry_sending"]
    readonly_fields = [field.name for field in OutgoingEmail._meta.fields]

    def has_add_permission(self, request):
        return False

    @admin.display(description="to")
    def recipients(self, email):
        return ", ".join(email.to)

    @admin.display(description="last error")
    def last_error_short(self, email):
        return email.last_error[:120]

    @admin.action(description="Retry sending the selected failed e-mails", permissions=["change"])
    def retry_sending(self, request, queryset):
        count = mail.retry(queryset)
        if count:
            self.message_user(request, f"{count} e-mail(s) queued to be sent again.")
        else:
            self.message_user(
                request,
                "None of the selected e-mails had failed; nothing was queued.",
                messages.WARNING,
            )
