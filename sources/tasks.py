"""Background tasks about sources, run by the task worker (`manage.py db_worker`)."""

from django_tasks import task

from sources.checks import link_health
from sources.evidence import imports


@task()
def request_archive(url):
    """Ask the Internet Archive to keep a copy of a newly approved source's page."""
    return link_health.request_archive(url)


@task()
def import_reading_list(run_id):
    """Carry out a moderator's import of a long reading list, batch by batch."""
    return imports.run_import(run_id)
