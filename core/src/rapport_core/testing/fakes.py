"""A fake CRM: a real HTTP server on loopback, in a thread, for tests and newcomers.

The base class does what every OAuth CRM does the same way, so a plugin's fake writes only
its contacts endpoints and their wire format:

- an authorize endpoint that approves at once and redirects back with a code;
- a token endpoint: authorization code (with PKCE), refresh, access tokens that expire after
  ``access_token_lifetime`` seconds (401 afterwards), or never for a CRM without refresh;
- a request window (``rate_limit`` requests per ``rate_window`` seconds): past it, 429 with
  ``Retry-After``; ``window`` feeds a CRM's rate-limit headers;
- a log of every request (``requests``, ``api_requests()``, ``methods_seen()``, and how many
  records each answer carried, ``served``);
- fault injection: 429 with ``Retry-After``, 401, 5xx, a connection cut halfway through a body;
- generated people (:func:`person_name`) and the edits a person makes (``add``, via ``touch``).
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib
import json
import math
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlencode, urlsplit

#: Generated people: ``person_name(n)`` is distinct for every n (first names carry an
#: initial, and past 10,400 a number), so no two share a name.
FIRST = ["Dana", "Ana", "Marcus", "Priya", "Luis", "Grace", "Omar", "Helen", "Wei", "Sofia",
         "James", "Nora", "Tariq", "Irene", "Caleb", "Maya", "Jorge", "Ruth", "Dev", "Lena"]  # fmt: skip
LAST = ["Ortiz", "Lee", "Bell", "Shah", "Moreno", "Kim", "Haddad", "Park", "Chen", "Rossi",
        "Nguyen", "Ward", "Aziz", "Costa", "Brooks", "Patel", "Reyes", "Stone", "Iyer", "Fox"]  # fmt: skip


def person_name(n: int) -> tuple[str, str]:
    """The n-th generated person's (first name, last name)."""
    first = f"{FIRST[n % 20]} {chr(65 + (n // 400) % 26)}." + (
        f" {n // 10400 + 1}" if n >= 10400 else ""
    )
    return first, LAST[(n // 20) % 20]


def person_email(n: int, tag: object) -> str:
    """A distinct work email for the n-th person (``tag`` keeps ids apart)."""
    return f"{FIRST[n % 20]}.{LAST[(n // 20) % 20]}.{tag}@example.com".lower()


@dataclass
class FakeRequest:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    form: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    at: float = field(default_factory=time.monotonic)
    #: Records the answer carried (the list under the fake's ``records_key``).
    served: int = 0

    @property
    def bearer(self) -> str | None:
        value = self.headers.get("authorization", "")
        return value[7:] if value.lower().startswith("bearer ") else None

    def json(self) -> Any:
        return json.loads(self.body or b"null")


@dataclass
class FakeResponse:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    #: Send the headers and only half the body, then close the connection.
    cut: bool = False

    def encoded(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        return b"" if self.body is None else json.dumps(self.body).encode()


@dataclass
class RateWindow:
    """Requests counted per fixed window of ``seconds``; ``limit`` None counts only."""

    limit: int | None
    seconds: float
    reset_at: float = 0.0  # unix time the current window ends
    count: int = 0

    def hit(self) -> bool:
        """Count a request; False when it is past the window's limit."""
        now = time.time()
        if now >= self.reset_at:
            self.reset_at, self.count = now + self.seconds, 0
        self.count += 1
        return self.limit is None or self.count <= self.limit

    @property
    def remaining(self) -> int:
        return max(0, (self.limit or 10_000) - self.count)

    def wait(self) -> int:
        """Whole seconds until the window resets (at least 1)."""
        return max(1, math.ceil(self.reset_at - time.time()))


@dataclass
class Fault:
    kind: str  # "429", "401", "500", "503", "cut"
    times: int = 1
    skip: int = 0  # let this many matching requests through first
    path: str | None = None  # only requests whose path contains this (default: API calls)
    retry_after: int | None = 1


class FakeCRM:
    """Subclass and implement :meth:`generate` (contacts in the CRM's JSON), :meth:`route`
    (the contacts endpoints), :meth:`touch` and :meth:`rename` (a person's edits)."""

    name: ClassVar[str] = "fake"
    authorize_path: ClassVar[str] = "/oauth/authorize"
    token_path: ClassVar[str] = "/oauth/token"
    client_id: ClassVar[str] = "rapport-fake-client"
    client_secret: ClassVar[str] = "rapport-fake-secret"
    #: Seconds an access token works; None: it never expires (and there is no refresh token).
    access_token_lifetime: ClassVar[int | None] = 3600
    #: Seconds of the request window ``rate_limit`` counts in.
    rate_window: ClassVar[float] = 60
    #: Where the records are in a list answer (``served`` counts them).
    records_key: ClassVar[str] = "data"

    def __init__(
        self,
        contacts: list[dict[str, Any]] | None = None,
        *,
        count: int = 0,
        seed: int = 7,
        host: str = "127.0.0.1",
        port: int = 0,
        rate_limit: int | None = None,
    ) -> None:
        self.lock = threading.RLock()
        self.contacts: list[dict[str, Any]] = (
            list(contacts) if contacts is not None else self.generate(count, seed)
        )
        self.requests: list[FakeRequest] = []
        self.faults: list[Fault] = []
        #: Seconds each API answer takes (a slow CRM, for interruption tests).
        self.delay = 0.0
        #: API requests per ``rate_window`` seconds before 429 (None: no limit, counted only).
        self.window = RateWindow(rate_limit, self.rate_window)
        #: Access token -> monotonic time it expires (None: never).
        self.access_tokens: dict[str, float | None] = {}
        self.refresh_tokens: set[str] = set()
        self._codes: dict[str, tuple[str, str | None]] = {}
        self._host, self._port = host, port
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._connections: set[socket.socket] = set()

    # ------------------------------------------------------------------ lifecycle

    def bind(self) -> str:
        """Listen on the port, not serving yet (:meth:`start` or :meth:`in_child_process`
        serves); returns the base URL."""
        handler = type("Handler", (_Handler,), {"fake": self})
        self._server = ThreadingHTTPServer((self._host, self._port), handler)
        self._server.daemon_threads = True
        self._port = self._server.server_address[1]
        return self.base_url

    def start(self) -> str:
        """Serve (again, on the same port after a :meth:`stop`); returns the base URL."""
        self.bind()
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self.base_url

    @contextlib.contextmanager
    def in_child_process(self) -> Iterator[str]:
        """Serve from a forked child process, after :meth:`bind`: benchmarks use it so the
        CRM's work is not done by the client's process (and its interpreter lock), as with
        a real CRM. The child has the fake as it was at the fork (tokens issued before it
        work); what it serves is not recorded in this process."""
        import multiprocessing

        assert self._server is not None, "bind() the fake first"
        child = multiprocessing.get_context("fork").Process(
            target=self._server.serve_forever, daemon=True
        )
        child.start()
        try:
            yield self.base_url
        finally:
            child.terminate()
            child.join()
            self._server.server_close()
            self._server = None

    def stop(self) -> None:
        """Stop as a crashed server would: no new connections, open ones cut."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        with self.lock:
            for connection in self._connections:
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
            self._connections.clear()

    def __enter__(self) -> FakeCRM:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start() the fake first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # ------------------------------------------------------------------ test controls

    def inject(self, kind: str, **options: Any) -> None:
        """Fail upcoming requests: ``inject("429", retry_after=2)``, ``inject("cut", skip=1)``."""
        with self.lock:
            self.faults.append(Fault(kind, **options))

    @property
    def refreshable(self) -> bool:
        return self.access_token_lifetime is not None

    def _new_access_token(self) -> str:
        access = secrets.token_urlsafe(16)
        lifetime = self.access_token_lifetime
        with self.lock:
            self.access_tokens[access] = None if lifetime is None else time.monotonic() + lifetime
        return access

    def issue_tokens(self) -> dict[str, Any]:
        """A fresh token response, as the token endpoint would send it (tests use it to
        start connected without the browser step)."""
        access, refresh = self._new_access_token(), secrets.token_urlsafe(16)
        if self.refreshable:
            with self.lock:
                self.refresh_tokens.add(refresh)
        return self.token_body(access, refresh)

    def token_valid(self, token: str | None) -> bool:
        with self.lock:
            if token not in self.access_tokens:
                return False
            expires = self.access_tokens[token]
            return expires is None or time.monotonic() < expires

    def expire_access_tokens(self) -> None:
        """Every access token issued so far expires now (refresh tokens still work)."""
        with self.lock:
            self.access_tokens = dict.fromkeys(self.access_tokens, 0.0)

    def revoke_refresh_tokens(self) -> None:
        with self.lock:
            self.refresh_tokens.clear()
            self.access_tokens.clear()

    def api_requests(self) -> list[FakeRequest]:
        with self.lock:
            return [r for r in self.requests if not self._is_oauth(r.path)]

    def methods_seen(self) -> set[tuple[str, str]]:
        """(method, "api") for every API GET and (method, path) for everything else:
        read-only proofs use it."""
        with self.lock:
            return {
                (r.method, "api" if r.method == "GET" and not self._is_oauth(r.path) else r.path)
                for r in self.requests
            }

    def stream_records(self) -> list[list[dict[str, Any]]]:
        """The records of each stream the connector reads, in its order (contacts, and
        for Lawmatics its referral sources too)."""
        return [self.contacts]

    def records(self) -> list[dict[str, Any]]:
        return [record for stream in self.stream_records() for record in stream]

    def full_sync_requests(self, page_size: int) -> int:
        """API requests a full sync takes: every page of every stream (one at least)."""
        return sum(max(1, math.ceil(len(s) / page_size)) for s in self.stream_records())

    def add(self, count: int) -> None:
        """New contacts, as people adding them now would."""
        with self.lock:
            fresh = self.generate(count, seed=99, start=len(self.contacts) + 5000)
            for contact in fresh:
                self.touch(contact)
            self.contacts.extend(fresh)

    # ------------------------------------------------------------------ for subclasses

    def generate(self, count: int, seed: int, start: int = 0) -> list[dict[str, Any]]:
        """``count`` distinct people in the CRM's JSON, the first numbered ``start``."""
        raise NotImplementedError

    def route(self, request: FakeRequest) -> FakeResponse:
        """Answer an authenticated API request within the rate limit."""
        raise NotImplementedError

    def touch(self, contact: dict[str, Any]) -> None:
        """Set a contact's modification time to now."""
        raise NotImplementedError

    def rename(self, external_id: str, name: str) -> None:
        """Change a contact's name (and so its modification time), as a person would."""
        raise NotImplementedError

    def token_body(self, access: str, refresh: str) -> dict[str, Any]:
        if not self.refreshable:
            return {"access_token": access, "token_type": "Bearer", "created_at": int(time.time())}
        return {
            "access_token": access,
            "refresh_token": refresh,
            "token_type": "bearer",
            "expires_in": self.access_token_lifetime,
        }

    def auth_error(self) -> FakeResponse:
        return FakeResponse(401, {"error": {"type": "AuthenticationError", "message": "expired"}})

    def error(self, status: int, message: str) -> FakeResponse:
        return FakeResponse(status, {"error": {"type": "Error", "message": message}})

    def rate_limited(self) -> FakeResponse:
        """The answer past the window's limit (429 with ``Retry-After``)."""
        response = self.error(429, "Rate limit exceeded")
        response.headers["Retry-After"] = str(self.window.wait())
        return response

    def extra_headers(self, request: FakeRequest) -> dict[str, str]:
        """Headers on every API answer (rate-limit headers, for instance)."""
        return {}

    # ------------------------------------------------------------------ dispatch

    def _is_oauth(self, path: str) -> bool:
        return path in (self.authorize_path, self.token_path)

    def _next_fault(self, request: FakeRequest) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.path is not None:
                    if fault.path not in request.path:
                        continue
                elif self._is_oauth(request.path):
                    continue
                if fault.skip:
                    fault.skip -= 1
                    return None
                fault.times -= 1
                if fault.times <= 0:
                    self.faults.remove(fault)
                return fault
        return None

    def handle(self, request: FakeRequest) -> FakeResponse:
        with self.lock:
            self.requests.append(request)
        fault = self._next_fault(request)
        if fault is not None and fault.kind != "cut":
            headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after else {}
            if fault.kind == "401":
                return self.auth_error()
            status = int(fault.kind)
            response = self.error(status, "injected fault")
            response.headers.update(headers)
            return response
        if request.path == self.authorize_path and request.method == "GET":
            response = self._authorize(request)
        elif request.path == self.token_path and request.method == "POST":
            response = self._token(request)
        elif not self.token_valid(request.bearer):
            response = self.auth_error()
        else:
            if self.delay:
                time.sleep(self.delay)
            with self.lock:
                within = self.window.hit()
                response = self.route(request) if within else self.rate_limited()
                response.headers = {**self.extra_headers(request), **response.headers}
            records = (
                response.body.get(self.records_key) if isinstance(response.body, dict) else None
            )
            if response.status == 200 and isinstance(records, list):
                request.served = len(records)
        if fault is not None:  # "cut"
            response.cut = True
        return response

    def _authorize(self, request: FakeRequest) -> FakeResponse:
        query = request.query
        if query.get("client_id") != self.client_id or not query.get("redirect_uri"):
            return FakeResponse(400, {"error": "invalid_client"})
        code = secrets.token_urlsafe(12)
        with self.lock:
            self._codes[code] = (query["redirect_uri"], query.get("code_challenge"))
        target = query["redirect_uri"]
        sep = "&" if "?" in target else "?"
        params = urlencode({"code": code, "state": query.get("state", "")})
        return FakeResponse(302, b"", {"Location": f"{target}{sep}{params}"})

    def _token(self, request: FakeRequest) -> FakeResponse:
        form = request.form
        if form.get("client_id") != self.client_id or form.get("client_secret") != (
            self.client_secret
        ):
            return FakeResponse(401, {"error": "invalid_client"})
        grant = form.get("grant_type")
        if grant == "authorization_code":
            with self.lock:
                issued = self._codes.pop(form.get("code", ""), None)
            if issued is None or issued[0] != form.get("redirect_uri"):
                return FakeResponse(400, {"error": "invalid_grant"})
            challenge = issued[1]
            if challenge is not None:
                verifier = form.get("code_verifier", "")
                digest = hashlib.sha256(verifier.encode()).digest()
                if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != challenge:
                    return FakeResponse(
                        400, {"error": "invalid_grant", "error_description": "PKCE"}
                    )
            return FakeResponse(200, self.issue_tokens())
        if grant == "refresh_token":
            refresh = form.get("refresh_token", "")
            with self.lock:
                if refresh not in self.refresh_tokens:
                    return FakeResponse(400, {"error": "invalid_grant"})
            return FakeResponse(200, self.token_body(self._new_access_token(), refresh))
        return FakeResponse(400, {"error": "unsupported_grant_type"})


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def parse_iso(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


class _Handler(BaseHTTPRequestHandler):
    fake: ClassVar[FakeCRM]
    protocol_version = "HTTP/1.1"  # keep-alive, as real APIs do
    # The headers and the body go out as two writes: with Nagle's algorithm on, the body
    # waits for the client's delayed ACK of the headers (40 ms a response on Linux).
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return None

    def setup(self) -> None:
        super().setup()
        with self.fake.lock:
            self.fake._connections.add(self.connection)

    def finish(self) -> None:
        with self.fake.lock:
            self.fake._connections.discard(self.connection)
        with contextlib.suppress(OSError):
            super().finish()

    def _serve(self, method: str) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        form: dict[str, str] = {}
        if "form-urlencoded" in (self.headers.get("Content-Type") or ""):
            form = {k: v[-1] for k, v in parse_qs(body.decode()).items()}
        request = FakeRequest(
            method=method,
            path=parts.path,
            query={k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()},
            headers={k.lower(): v for k, v in self.headers.items()},
            form=form,
            body=body,
        )
        response = self.fake.handle(request)
        payload = response.encoded()
        self.send_response(response.status)
        if response.body is not None and not isinstance(response.body, bytes):
            self.send_header("Content-Type", "application/json")
        for key, value in response.headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if response.cut:
            self.wfile.write(payload[: len(payload) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.wfile.write(payload)

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def do_PATCH(self) -> None:
        self._serve("PATCH")

    def do_DELETE(self) -> None:
        self._serve("DELETE")
