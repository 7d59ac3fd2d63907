"""The pipeline's own tables."""

from __future__ import annotations

from piccolo.columns import ForeignKey, Integer
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from rapport_core.tables import Firm


class RoundRobinTurn(Table, tablename="rapport_round_robin_turn"):
    """Whose turn it was last in a firm's round-robin, taken by one atomic UPDATE per new
    referral so two referrals arriving together cannot both go to the same person."""

    firm = ForeignKey(references=Firm, unique=True, on_delete=OnDelete.cascade, index=True)
    #: The user id the last round-robin referral went to (None: nobody yet).
    last_owner = Integer(null=True, default=None)
