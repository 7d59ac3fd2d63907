import datetime as dt

import pytest
from pydantic import ValidationError
from rapport_core.audit import events_for
from rapport_core.clock import now
from rapport_core.errors import Forbidden, Invalid, NotFound
from rapport_core.tax.tables import W9, W9Request
from rapport_core.tax.w9 import (
    create_link,
    current_w9,
    open_link,
    submit_w9,
    upload_w9,
    view_tin,
)

from tests.tax.helpers import partner, w9_form


def token_of(link) -> str:
    return link.url.rsplit("/", 1)[1]


async def test_a_link_opens_the_form_once_and_files_the_w9(firm):
    pid = await partner(firm)
    link = await create_link(firm.actor(), pid, "https://rapport.example")
    assert link.url.startswith("https://rapport.example/w9/")
    stored = await W9Request.select().where(W9Request.id == link.request_id).first()
    assert token_of(link) not in str(stored)  # only the hash is kept
    assert (await open_link(token_of(link)))["partner_name"] == "Grace Hopper"

    w9 = await submit_w9(token_of(link), w9_form())
    assert w9.tin_masked == "***-**-6789" and w9.signature_name == "Grace Hopper"
    assert (await current_w9(firm.actor(), pid)).id == w9.id
    row = await W9.select().where(W9.id == w9.id).first()
    assert "123456789" not in row["tin_encrypted"]

    with pytest.raises(Invalid, match="already been used") as used:
        await submit_w9(token_of(link), w9_form(tin="234-56-7890"))
    assert used.value.field == "token"
    assert await W9.count().where(W9.partner == pid) == 1  # nothing written


async def test_an_expired_link_is_refused_and_writes_nothing(firm):
    pid = await partner(firm)
    link = await create_link(firm.actor(), pid, "http://t")
    await W9Request.update({W9Request.expires_at: now() - dt.timedelta(minutes=1)}).where(
        W9Request.id == link.request_id
    )
    with pytest.raises(Invalid, match="expired"):
        await submit_w9(token_of(link), w9_form())
    assert await W9.count().where(W9.partner == pid) == 0
    with pytest.raises(Invalid, match="not valid"):
        await open_link("no-such-token")


async def test_an_invalid_tin_names_the_field_and_leaves_the_link_usable(firm):
    pid = await partner(firm)
    link = await create_link(firm.actor(), pid, "http://t")
    with pytest.raises(ValidationError) as refused:
        await submit_w9(token_of(link), w9_form(tin="666-12-3456"))
    assert refused.value.errors()[0]["loc"] == ("tin",)
    assert "area number 666" in str(refused.value)
    assert await W9.count().where(W9.partner == pid) == 0
    assert (await open_link(token_of(link)))["used_at"] is None
    await submit_w9(token_of(link), w9_form())


async def test_a_new_w9_supersedes_the_old_one(firm):
    pid = await partner(firm)
    for tin in ("123-45-6789", "234-56-7890"):
        await submit_w9(
            token_of(await create_link(firm.actor(), pid, "http://t")), w9_form(tin=tin)
        )
    assert (await current_w9(firm.actor(), pid)).tin_masked == "***-**-7890"
    assert await W9.count().where(W9.partner == pid) == 2


async def test_viewing_a_full_tin_is_for_some_roles_and_audited(firm):
    pid = await partner(firm)
    await submit_w9(token_of(await create_link(firm.actor(), pid, "http://t")), w9_form())
    with pytest.raises(Forbidden):
        await view_tin(firm.actor("member"), pid)
    assert await view_tin(firm.actor("compliance"), pid) == "123-45-6789"
    views = [e for e in await events_for(firm.id) if e["action"] == "tax.tin.view"]
    assert views and views[0]["actor"] == firm.emails["compliance"]


async def test_uploading_a_signed_pdf_files_the_w9(firm):
    pid = await partner(firm)
    with pytest.raises(Invalid, match="PDF") as refused:
        await upload_w9(firm.actor(), pid, w9_form(), b"not a pdf")
    assert refused.value.field == "pdf"
    w9 = await upload_w9(
        firm.actor(), pid, w9_form(classification="c_corporation"), b"%PDF-1.4 signed"
    )
    assert w9.source == "upload" and w9.has_pdf


async def test_another_firms_partner_is_not_found(firm, other_firm):
    pid = await partner(other_firm)
    with pytest.raises(NotFound):
        await create_link(firm.actor(), pid, "http://t")
    with pytest.raises(NotFound):
        await current_w9(firm.actor(), pid)
