"""Plugins: `agreement_changed` after each committed change, and a document storage offered
through `register_document_storage` receiving uploads when RAPPORT_DOCUMENT_STORAGE names it."""

import hashlib

import pytest
from rapport_core import hookimpl
from rapport_core.agreements import service
from rapport_core.agreements.schemas import AgreementCreate, StatusChange
from rapport_core.agreements.tables import AgreementVersion
from rapport_core.errors import RapportError
from rapport_core.plugins import get_plugin_manager
from rapport_core.schemas import PartnerCreate
from rapport_core.services import partners

from tests.agreements.helpers import make_pdf


class MemoryStorage:
    """A storage that keeps files in a dict, as an S3 plugin would keep them in a bucket."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    async def put(self, key: str, data: bytes) -> None:
        self.files[key] = data

    async def get(self, key: str) -> bytes:
        return self.files[key]

    async def delete(self, key: str) -> None:
        self.files.pop(key, None)


class Recorder:
    def __init__(self) -> None:
        self.changes: list[tuple[int, str, str]] = []
        self.bucket = MemoryStorage()

    @hookimpl
    def agreement_changed(self, agreement, actor):
        self.changes.append((agreement.id, agreement.status.value, actor.label))

    @hookimpl
    def register_document_storage(self, register):
        register("memory", lambda settings: self.bucket)


@pytest.fixture
def plugin():
    recorder = Recorder()
    pm = get_plugin_manager()
    pm.register(recorder, name="test-agreements-recorder")
    yield recorder
    pm.unregister(name="test-agreements-recorder")


async def test_hooks_see_each_change_and_a_plugin_storage_keeps_the_file(firm, plugin, monkeypatch):
    monkeypatch.setenv("RAPPORT_DOCUMENT_STORAGE", "memory")
    actor = firm.actor("member")
    partner = await partners.create_partner(actor, PartnerCreate(name="Pat", profession="cpa"))
    pdf = make_pdf("to the bucket")
    out = await service.upload_agreement(
        actor, AgreementCreate(partner_id=partner.id, kind="other"), pdf, "x.pdf"
    )
    await service.change_status(actor, out.id, StatusChange(status="revoked", reason="void"))
    assert plugin.changes == [(out.id, "draft", actor.label), (out.id, "revoked", actor.label)]

    [stored] = plugin.bucket.files.values()
    assert stored == pdf
    version = await AgreementVersion.select().where(AgreementVersion.agreement == out.id).first()
    assert version["storage_backend"] == "memory"
    assert (
        version["storage_key"]
        == f"{firm.id}/{hashlib.sha256(pdf).hexdigest()[:2]}/{hashlib.sha256(pdf).hexdigest()}.pdf"
    )

    # Read back through the backend it was written to, even after the setting changes.
    monkeypatch.setenv("RAPPORT_DOCUMENT_STORAGE", "filesystem")
    _, data = await service.version_file(actor, out.id, 1)
    assert data == pdf
    # A file changed behind Rapport's back is refused, not served.
    plugin.bucket.files[version["storage_key"]] = make_pdf("swapped")
    with pytest.raises(RapportError, match="no longer matches its sha256"):
        await service.version_file(actor, out.id, 1)


async def test_an_unknown_storage_is_a_clear_error(firm, monkeypatch):
    monkeypatch.setenv("RAPPORT_DOCUMENT_STORAGE", "s4")
    actor = firm.actor()
    partner = await partners.create_partner(actor, PartnerCreate(name="Quin", profession="cpa"))
    with pytest.raises(RapportError, match="'s4' is not an installed document storage"):
        await service.upload_agreement(
            actor, AgreementCreate(partner_id=partner.id, kind="other"), make_pdf(), "x.pdf"
        )
