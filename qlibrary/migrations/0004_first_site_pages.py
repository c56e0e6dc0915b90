"""The first versions of the community guidelines, about, privacy and contact pages.

Staff edit them afterwards in the admin; this migration only adds a page that is missing.
"""

from django.db import migrations

GUIDELINES = """\
Q Library is kept by the people who use it. These guidelines say what we add, how we talk to
each other, and what happens when something goes wrong. When a moderator's reason in the
[moderation log](/moderation/log/) mentions "the rules", it means this page.

## What belongs in the library

The library holds published evidence that speaks to one or more of its priority themes: reports,
journal articles, reviews, evaluations, case studies, books, methods and toolkits, programmes,
websites, talks and events.

- **Published and findable.** Give a link or a DOI where there is one. A book without a link is
  fine; a rumour of a paper is not.
- **Relevant to a theme.** Say which themes it speaks to and why, in your own words.
- **Honest about where it stands.** Say whether it *reinforces*, *refines* or *challenges* the
  current thinking. Sources that challenge us are as welcome as those that agree.
- **Declared interests.** If you wrote it, or work for the body behind it, say so in the
  conflict-of-interest box. Declared interests are fine; hidden ones are not.
- **Not advertising.** Products, paid courses and services are declined unless there is
  published evidence about them, and then it is the evidence we add.

Moderators approve, decline or ask for changes, and always give their reason. Every decision is
listed in the public moderation log.

## How to discuss

- Argue with ideas, not with people. Assume good faith; many of us bring a perspective you may
  not share, and that is the point of the library.
- Patients, carers, clinicians, managers, improvers and researchers all take part. Write so that
  someone outside your profession can follow you, and explain acronyms.
- Say where a claim comes from. A link to a source is worth more than certainty.
- Keep to the source or theme being discussed. Start a new thread rather than take over one.

## Never share patient-identifiable information

Do not post anything that could identify a patient, a service user or a member of staff who is
not taking part: names, dates of birth, NHS or hospital numbers, addresses, photographs, or a
story told in enough detail that someone could recognise who it is about. Describe what
happened, not who it happened to.

## What a flag is for

Flag a comment when it needs a moderator: spam, abuse or disrespect, something off-topic,
patient-identifiable information, a clinical safety concern (for example advice that could harm
someone if followed), or something else you explain in a note. Flags are private: the author is
not told who flagged.

- A comment flagged by several members is hidden until a moderator has looked at it.
- **A single flag for patient-identifiable information hides the comment at once.**
- Disagreeing with a comment is not a reason to flag it: reply instead.

## What moderators do

Moderators read every flag. They either restore the comment, if it keeps to these guidelines, or
hide it and record why in the public log. When a comment held patient-identifiable information,
they hide it, do not repeat the details anywhere (including the log), and contact the author if
the information needs to be removed from anywhere else. Clinical safety concerns are answered in
the discussion, so that readers see the correction beside the comment.

Moderators can also ask for changes to a proposal, decline it, or retire a source that no longer
belongs. Each of these is logged with its reason. If you think a decision was wrong, say so on
the [contact page](/contact/).
"""

ABOUT = """\
Q Library is a reading list that the health-care improvement community keeps together.

It began as a blog post that set out three priorities for the Q community and listed the
published sources behind them, ending with a question: what would you add? The answers used to
vanish into a comment thread. Here they become a library that anyone can read, search, follow
and cite.

## How it works

- **Members propose sources** and say whether each one reinforces, refines or challenges the
  current thinking under a theme.
- **The community discusses and endorses them.** Each source shows whose perspectives stand
  behind it (patients and carers, clinicians, managers, improvers, researchers and others), not
  just how many.
- **Moderators decide** what enters the library and say why. Every decision is in the public
  [moderation log](/moderation/log/).

## Taking part

Anyone can read the library and follow its feeds. To propose, discuss or endorse, sign up and
confirm your e-mail address. Please read the [community guidelines](/guidelines/) first.
"""

PRIVACY = """\
This page says what Q Library stores about you, who can see it, and how to get it or delete it.

## What we store

- **Your account:** username, e-mail addresses (and whether you confirmed them), your password
  (only as a one-way hash, never the password itself), when you joined and last logged in.
- **Your profile:** the display name, organisation, short bio and perspective you choose to
  give, and your e-mail notification choices.
- **What you add:** your proposals (including any conflict of interest you declare), your
  comments, your endorsements, and the flags you raise.
- **To keep the site working:** a session cookie while you are logged in, and short-lived
  counters that limit how fast anyone can log in, propose or comment.

We do not use advertising or tracking cookies, and we do not sell or share your data.

## Who can see it

Your display name, organisation, bio and perspective are on your public profile. Proposals you
make are visible to members while open and to everyone once approved, with your name. Your
comments and endorsements are public, and your perspective is counted beside each source you
endorse. Your e-mail address and your flags are seen only by the moderators and administrators
who need them.

## Getting a copy of your data

When you are logged in, open **Edit your profile** and choose **Download my data**. You get a
JSON file with your profile, proposals, comments, endorsements and flags.

## Deleting your account

From **Edit your profile**, choose **Delete my account**. Then:

- your profile, e-mail addresses, endorsements and flags are deleted, and the endorsement counts
  of the sources you backed go down by one;
- sources you proposed stay in the library, without your name;
- your comments stay in their discussions, signed "a former member", so that the replies to them
  still make sense. Tick the box to remove their text as well.

If you cannot log in any more, write to us from the [contact page](/contact/).
"""

CONTACT = """\
## Something on the site

- **A comment that breaks the [community guidelines](/guidelines/):** flag it (the "Flag" link
  under the comment). That reaches the moderators fastest.
- **A decision on your proposal:** the reason is on your **My proposals** page and in the
  [moderation log](/moderation/log/). If you think it was wrong, write to us and say why.
- **Patient-identifiable information:** flag the comment at once; one flag hides it.

## Anything else

Questions, corrections, a request about your data, or an idea for the library: write to the
address below and a member of the team will answer.
"""

PAGES = [
    (
        "guidelines",
        "Community guidelines",
        "What belongs in the library, how we discuss it, and what flags and moderators are for.",
        GUIDELINES,
    ),
    (
        "about",
        "About Q Library",
        "A living reading list of the evidence behind three priorities for improving health and "
        "care.",
        ABOUT,
    ),
    (
        "privacy",
        "Privacy",
        "What we store about you, who sees it, and how to download or delete it.",
        PRIVACY,
    ),
    (
        "contact",
        "Contact",
        "How to reach the moderators and the people who run the library.",
        CONTACT,
    ),
]


def create_pages(apps, schema_editor):
    SitePage = apps.get_model("qlibrary", "SitePage")
    for slug, title, lead, body in PAGES:
        SitePage.objects.get_or_create(
            slug=slug, defaults={"title": title, "lead": lead, "body": body}
        )


class Migration(migrations.Migration):
    dependencies = [("qlibrary", "0003_site_pages")]

    operations = [migrations.RunPython(create_pages, migrations.RunPython.noop)]
