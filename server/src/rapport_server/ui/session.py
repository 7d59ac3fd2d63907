"""Sign in and sign out."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromQuery, URLEncodedBody
from litestar.response import Redirect, Template
from pydantic import BaseModel
from rapport_core.services import firms

from rapport_server.auth import SESSION_USER_KEY, session_actor_or_none


class SignIn(BaseModel):
    email: str = ""
    password: str = ""
    next: str = "/"


def _safe_next(target: str) -> str:
    # Only local paths: never redirect a signed-in user to another site.
    local = target.startswith("/") and not target.startswith(("//", "/\\"))
    return target if local else "/"


class SessionController(Controller):
    @get("/login")
    async def login_form(self, request: Request, next: FromQuery[str] = "/") -> Template | Redirect:
        if await session_actor_or_none(request):
            return Redirect(_safe_next(next))
        return Template("login.html", context={"next": _safe_next(next), "error": None})

    @post("/login")
    async def login(
        self,
        request: Request,
        data: URLEncodedBody[SignIn],
    ) -> Template | Redirect:
        user = await firms.authenticate(data.email, data.password)
        if user is None:
            context = {
                "next": _safe_next(data.next),
                "error": "Email or password is incorrect.",
                "email": data.email,
            }
            return Template("login.html", context=context, status_code=401)
        request.set_session({SESSION_USER_KEY: user.id})
        return Redirect(_safe_next(data.next), status_code=303)

    @post("/logout")
    async def logout(self, request: Request) -> Redirect:
        request.clear_session()
        return Redirect("/login", status_code=303)
