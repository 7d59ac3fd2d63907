"""Pipeline pages: the board of referrals by stage, the approval queue, routing and settings."""

PAGES: list = []
