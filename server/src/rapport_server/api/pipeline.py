"""API for the referral pipeline: routing rules, SLA breaches, duplicates, partner drafts."""

CONTROLLERS: list = []
