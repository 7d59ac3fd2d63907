"""A person using the web UI through the shared test client: signs in, fills in forms.
The ``web`` fixture is registered for every test by ``tests/conftest.py``."""

from __future__ import annotations

import pytest
from httpx import Response

from tests.conftest import PASSWORD


class WebSession:
    """Like a browser: the form posts carry the CSRF token the page's hidden field holds
    (the same value as the ``csrftoken`` cookie)."""

    def __init__(self, client) -> None:
        self.client = client

    async def sign_in(self, email: str, password: str = PASSWORD) -> Response:
        self.client.cookies.clear()  # the client is shared: forget the previous person
        await self.client.get("/login")
        return await self.post("/login", {"email": email, "password": password})

    async def get(self, path: str, **kwargs) -> Response:
        return await self.client.get(path, **kwargs)

    async def post(self, path: str, fields: dict[str, str], *, csrf: bool = True) -> Response:
        token = {"_csrf_token": self.client.cookies["csrftoken"]} if csrf else {}
        return await self.client.post(path, data={**fields, **token})


@pytest.fixture
def web(client):
    yield WebSession(client)
    client.cookies.clear()  # later tests on the shared client start signed out
