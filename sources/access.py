"""Who is who: members are signed in, active and have a verified e-mail address; moderators
hold the moderate_source permission (through the Moderators group). What a person may do with a
source or a comment is answered from these roles by sources/permissions.py and
comments/permissions.py."""

from functools import wraps

from allauth.account.models import EmailAddress
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

MODERATE = "sources.moderate_source"


def is_member(user):
    if not (user.is_authenticated and user.is_active):
        return False
    # The signed-in user comes with it (qlibrary/auth_backends.py); any other user object is asked.
    if not hasattr(user, "has_verified_email"):
        user.has_verified_email = EmailAddress.objects.filter(user=user, verified=True).exists()
    return user.has_verified_email


def is_moderator(user):
    if not is_member(user):
        return False
    if hasattr(user, "holds_moderator_permission"):  # as read with the signed-in user
        return user.is_superuser or user.holds_moderator_permission
    return user.has_perm(MODERATE)


def member_required(view):
    """Send readers to log in; tell signed-in members without a verified e-mail what to do."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_member(request.user):
            return render(request, "sources/verify_email_first.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


def moderator_required(view):
    @wraps(view)
    @member_required
    def wrapper(request, *args, **kwargs):
        if not is_moderator(request.user):
            raise PermissionDenied("Only moderators can do that.")
        return view(request, *args, **kwargs)

    return wrapper
