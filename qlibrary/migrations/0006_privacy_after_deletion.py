"""The privacy page says what deleting an account forgets, what is kept and why, and that the
e-mails sent to a member are stored.

Staff may have edited the page in the admin: it is updated only while it still holds the first
version's text, word for word, and put back only while it holds this one's.
"""

from importlib import import_module

from django.db import migrations
from django.utils import timezone

FIRST = import_module("qlibrary.migrations.0004_first_site_pages").PRIVACY

STORED_BEFORE = """\
- **To keep the site working:** a session cookie while you are logged in, and short-lived
  counters that limit how fast anyone can log in, propose or comment.
"""

STORED_NOW = """\
- **The e-mails we send you** (address confirmations, password resets, the notifications you
  chose), kept so that one the mail server could not take is sent again.
- **To keep the site working:** a session cookie while you are logged in, and short-lived
  counters that limit how fast anyone can log in, propose or comment.
"""

DELETION_BEFORE = """\
From **Edit your profile**, choose **Delete my account**. Then:

- your profile, e-mail addresses, endorsements and flags are deleted, and the endorsement counts
  of the sources you backed go down by one;
- sources you proposed stay in the library, without your name;
- your comments stay in their discussions, signed "a former member", so that the replies to them
  still make sense. Tick the box to remove their text as well.
"""

DELETION_NOW = """\
From **Edit your profile**, choose **Delete my account**. Then:

- your account, profile, e-mail addresses (and any confirmation link not yet used),
  endorsements, follows and flags are deleted, and the endorsement counts of the sources you
  backed go down by one;
- the e-mails to you, sent or still waiting, are deleted; e-mails to other members that named
  you (a notification of your reply, for instance) say "a former member" instead, and no longer
  quote a comment whose text you removed;
- you are logged out on every device, and the copies of pages we keep ready for readers are
  discarded, so that none still shows your name;
- sources you proposed stay in the library, without your name;
- your comments stay in their discussions, signed "a former member", so that the replies to them
  still make sense. Tick the box to remove their text as well.

## What we keep after a deletion, and why

- **The sources you proposed**, without your name: once in the library, others cite them and
  they are part of the open data others have downloaded.
- **Your comments**, signed "a former member", unless you asked for their text to go: other
  members' replies answer them.
- **The moderation log**, the public record of why each source is in the library or not. Its
  entries stay; a decision you took as a moderator is shown as taken by "a former moderator",
  and your own steps (a proposal you withdrew) stay without your name.
- **The counters that slow down password guessing** hold a one-way hash of the name or address
  tried, never the name itself, and expire within minutes.
"""

NOW = FIRST.replace(STORED_BEFORE, STORED_NOW).replace(DELETION_BEFORE, DELETION_NOW)


def _replace(apps, old, new):
    SitePage = apps.get_model("qlibrary", "SitePage")
    SitePage.objects.filter(slug="privacy", body=old).update(body=new, updated_at=timezone.now())


def say_what_deletion_keeps(apps, schema_editor):
    _replace(apps, FIRST, NOW)


def put_back_the_first_version(apps, schema_editor):
    _replace(apps, NOW, FIRST)


class Migration(migrations.Migration):
    dependencies = [("qlibrary", "0005_weekly_digest")]

    operations = [migrations.RunPython(say_what_deletion_keeps, put_back_the_first_version)]
