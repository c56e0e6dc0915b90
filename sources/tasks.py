"""Background tasks about sources, run by the task worker (`manage.py db_worker`)."""

from django_tasks import task

from . import link_health


@task()
def request_archive(url):
    """Ask the Internet Archive to keep a copy of a newly approved source's page."""
    return link_health.request_archive(url)
