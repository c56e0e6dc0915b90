from sources.access import is_member, is_moderator


def roles(request):
    """What the navigation offers depends on whether the visitor is a member or a moderator."""
    user = request.user
    return {"is_member": is_member(user), "is_moderator": is_moderator(user)}
