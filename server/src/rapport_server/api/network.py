"""API for the network: the partner matrix, gaps and partner matching."""

from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from rapport_core.actors import Actor
from rapport_core.network.gaps import network_gaps
from rapport_core.network.matching import partner_matches
from rapport_core.network.matrix import partner_matrix
from rapport_core.network.schemas import Gaps, Matches, Matrix


class NetworkController(Controller):
    path = "/network"
    tags = ["network"]

    @get(
        "/matrix",
        summary="Every partner by alignment and activity, in four quadrants",
        description="Alignment is a weighted mix of complementarity, client overlap and "
        "geography (each 0–1, with its explanation); activity counts referrals both ways in "
        "the relationship window. Formulas: docs/network.md.",
    )
    async def matrix(self, actor: NamedDependency[Actor]) -> Matrix:
        return await partner_matrix(actor)

    @get("/gaps", summary="Complementary partner types the network lacks or has too few of")
    async def gaps(self, actor: NamedDependency[Actor]) -> Gaps:
        return await network_gaps(actor)

    @get("/matches", summary="Suggested partners for the firm, or for one partner's clients")
    async def matches(
        self,
        actor: NamedDependency[Actor],
        partner_id: Annotated[
            int | None, QueryParameter(description="Match to this partner's clients instead")
        ] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 10,
    ) -> Matches:
        return await partner_matches(actor, partner_id, limit)


CONTROLLERS: list = [NetworkController]
