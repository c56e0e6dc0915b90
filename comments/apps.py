from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class CommentsConfig(AppConfig):
    name = "comments"
    verbose_name = "Discussion"

    def ready(self):
        from .models import Comment

        # A comment saved or deleted anywhere (the admin included) changes the pages that show
        # it; which pages is said in sources/page_cache.py.
        post_save.connect(_comment_changed, sender=Comment, dispatch_uid="pages_comment_saved")
        post_delete.connect(_comment_changed, sender=Comment, dispatch_uid="pages_comment_deleted")


def _comment_changed(sender, instance, **kwargs):
    from sources.page_cache import comment_changed

    comment_changed(instance)
