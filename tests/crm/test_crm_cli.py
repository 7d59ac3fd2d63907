"""`rapport crm …` as a newcomer runs it: fake server, connect through OAuth, sync, status;
and a sync process killed mid-run resumes on the next run with nothing lost or doubled."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from rapport_core.cli import build_cli
from rapport_crm_clio.fake import FakeClio

from tests.crm.helpers import clio_env

RAPPORT = str(Path(sys.executable).parent / "rapport")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def invoke():
    cli = build_cli()
    runner = CliRunner()

    def run(*args: str, ok: bool = True):
        result = runner.invoke(cli, list(args), catch_exceptions=False)
        assert (result.exit_code == 0) is ok, result.output
        return result

    return run


@pytest.fixture
def slug(invoke) -> str:
    slug = f"crm-{uuid.uuid4().hex[:10]}"
    invoke("firm", "create", "--name", "CRM Law", "--slug", slug, "--jurisdiction", "FL")
    return slug


def connect_through_oauth(fake: FakeClio, slug: str) -> None:
    """`rapport crm connect clio` in its own process; the "browser" follows the URL it prints."""
    port = free_port()
    process = subprocess.Popen(
        [RAPPORT, "crm", "connect", "clio", "--firm", slug, "--no-browser", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **clio_env(fake)},
    )
    url = ""
    for line in process.stdout:
        if line.startswith("http"):
            url = line.strip()
            break
    assert url.startswith(fake.base_url + "/oauth/authorize?"), url
    for _ in range(50):  # the listener starts right after the URL is printed
        try:
            page = httpx.get(url, follow_redirects=True, timeout=5)
            break
        except httpx.ConnectError:
            time.sleep(0.1)
    assert "received the authorization" in page.text
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert "Connected to Clio" in out and fake.access_tokens


def test_connect_sync_and_status_from_the_command_line(invoke, slug, monkeypatch):
    with FakeClio(count=450) as fake:
        for key, value in clio_env(fake).items():
            monkeypatch.setenv(key, value)
        listed = json.loads(invoke("crm", "list", "--firm", slug, "--json").output)
        assert {"name": "clio", "status": "not connected"}.items() <= listed[0].items()

        connect_through_oauth(fake, slug)
        synced = invoke("crm", "sync", "clio", "--firm", slug).output
        assert "succeeded: 450 created, 0 updated" in synced
        assert "450/450" in synced  # the progress bar ends with every record counted

        fake.rename("1003", "Renamed Contact")
        again = invoke("crm", "sync", "clio", "--firm", slug).output
        assert "succeeded: 0 created, 1 updated, 0 unchanged" in again

        status = json.loads(invoke("crm", "status", "--firm", slug, "--json").output)
        assert status[0]["status"] == "connected" and status[0]["partners"] == 450
        assert status[0]["token_hint"].startswith("…")
        assert status[0]["last_run"]["updated"] == 1

        partners = json.loads(invoke("partners", "list", "--firm", slug, "--json").output)
        assert "Renamed Contact" in {p["name"] for p in partners}
        assert fake.methods_seen() <= {
            ("GET", "api"),
            ("GET", "/oauth/authorize"),
            ("POST", "/oauth/token"),
        }


def test_fake_server_command_serves_oauth_and_contacts():
    port = free_port()
    process = subprocess.Popen(
        [RAPPORT, "crm", "fake-server", "clio", "--port", str(port), "--contacts", "3"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        lines = [process.stdout.readline() for _ in range(5)]
        assert f"export RAPPORT_CRM_CLIO_BASE_URL=http://127.0.0.1:{port}" in "".join(lines)
        answer = httpx.get(
            f"http://127.0.0.1:{port}/oauth/authorize",
            params={
                "client_id": "rapport-fake-client",
                "redirect_uri": "http://x/cb",
                "state": "s",
            },
        )
        assert answer.status_code == 302 and "state=s" in answer.headers["location"]
        assert httpx.get(f"http://127.0.0.1:{port}/api/v4/contacts.json").status_code == 401
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=10)


def _runs(slug: str) -> list[dict]:
    from rapport_core.crm.tables import CrmSyncRun
    from rapport_core.tables import Firm

    async def query():
        firm = await Firm.select(Firm.id).where(Firm.slug == slug).first()
        return (
            await CrmSyncRun.select().where(CrmSyncRun.firm == firm["id"]).order_by(CrmSyncRun.id)
        )

    return asyncio.run(query())


def _partners(slug: str) -> list[dict]:
    from rapport_core.tables import Firm, Partner

    async def query():
        firm = await Firm.select(Firm.id).where(Firm.slug == slug).first()
        return (
            await Partner.select(Partner.id, Partner.external_ids)
            .where(Partner.firm == firm["id"])
            .output(load_json=True)
        )

    return asyncio.run(query())


def test_killed_sync_process_resumes_without_duplicates(invoke, slug, monkeypatch):
    with FakeClio(count=1000) as fake:  # five pages of 200
        for key, value in clio_env(fake).items():
            monkeypatch.setenv(key, value)
        connect_through_oauth(fake, slug)
        fake.delay = 0.4
        process = subprocess.Popen(
            [RAPPORT, "crm", "sync", "clio", "--firm", slug],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=os.environ.copy(),
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            runs = _runs(slug)
            if runs and runs[-1]["pages"] >= 2:
                break
            time.sleep(0.1)
        process.send_signal(signal.SIGKILL)  # no cleanup, no finally: the lock stays behind
        process.wait(timeout=10)
        killed = _runs(slug)[-1]
        assert killed["status"] == "running" and 2 <= killed["pages"] < 5

        fake.delay = 0
        before = len(fake.api_requests())
        resumed = invoke("crm", "sync", "clio", "--firm", slug).output
        assert "resumed" in resumed and "succeeded" in resumed
        assert len(fake.api_requests()) - before <= 5 - killed["pages"]
        runs = _runs(slug)
        assert runs[-2]["status"] == "interrupted"
        total_created = sum(run["created"] for run in runs)
        assert total_created == 1000

        partners = _partners(slug)
        assert len(partners) == 1000
        assert {p["external_ids"]["clio"] for p in partners} == {
            str(c["id"]) for c in fake.contacts
        }
