"""Proposing and moderating: proposals, the moderators' decisions and queue, endorsements, reviews,
the proposers' e-mails."""
