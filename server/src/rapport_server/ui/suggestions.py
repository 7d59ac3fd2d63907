"""Possible duplicates: every merge suggestion, from CRM syncs and imports, on one page.

The older addresses (under /integrations and /partners/import) redirect here."""

from __future__ import annotations

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template
from rapport_core.suggestions import service

from rapport_server.ui.forms import submit_and_redirect
from rapport_server.ui.rendering import SignedIn, render

PAGE = "/duplicates"


async def _page(me: SignedIn, problem: str = "") -> Template:
    return render(
        "suggestions/index.html",
        me,
        items=await service.list_suggestions(me.actor),
        problem=problem,
    )


async def _decide(me: SignedIn, suggestion_id: int, decision: str) -> Response:
    await service.get_suggestion(me.actor, suggestion_id)  # another firm's: a 404 page
    return await submit_and_redirect(
        lambda: service.decide(me.actor, suggestion_id, decision),  # type: ignore[arg-type]
        PAGE,
        lambda errors: _page(me, " ".join(errors.values())),
    )


class SuggestionPages(Controller):
    @get(PAGE)
    async def index(self, me: NamedDependency[SignedIn]) -> Template:
        return await _page(me)

    @post(
        [f"{PAGE}/{{suggestion_id:int}}/merge",
         "/integrations/suggestions/{suggestion_id:int}/merge",
         "/partners/import/suggestions/{suggestion_id:int}/merge"],
    )  # fmt: skip
    async def merge(self, me: NamedDependency[SignedIn], suggestion_id: FromPath[int]) -> Response:
        return await _decide(me, suggestion_id, "merge")

    @post(
        [f"{PAGE}/{{suggestion_id:int}}/separate",
         "/integrations/suggestions/{suggestion_id:int}/separate",
         "/partners/import/suggestions/{suggestion_id:int}/dismiss"],
    )  # fmt: skip
    async def separate(
        self, me: NamedDependency[SignedIn], suggestion_id: FromPath[int]
    ) -> Response:
        return await _decide(me, suggestion_id, "separate")

    @get(["/integrations/suggestions", "/partners/import/suggestions"])
    async def moved(self) -> Redirect:
        return Redirect(PAGE, status_code=301)


PAGES = [SuggestionPages]
