"""Background tasks of the outbox, run by the task worker (`manage.py db_worker`)."""

from django_tasks import task

from . import mail


@task()
def deliver_email(email_id):
    """One attempt at sending a stored e-mail; a failure schedules its own retry."""
    return mail.deliver(email_id)
