"""W-9 collection: tokenised links, the partner's submission, uploads and audited TIN views.

A person creates a link and passes it on (the app never sends it by itself). The token is
random, stored only as its SHA-256, expires (``w9_link_days`` in the rules) and works once.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import secrets as token_source

from rapport_core import audit, secrets
from rapport_core.actors import Actor
from rapport_core.clock import as_utc, now
from rapport_core.errors import Forbidden, Invalid, NotFound
from rapport_core.plugins import get_plugin_manager
from rapport_core.services.common import get_scoped, transaction
from rapport_core.tables import Firm, Partner
from rapport_core.tax import rules
from rapport_core.tax.schemas import Classification, W9In, W9LinkOut, W9Out
from rapport_core.tax.tables import W9, W9Request
from rapport_core.tax.tin import mask, parse_tin, reveal
from rapport_core.vocabulary import Role

#: Who may see a full TIN (every view is audited).
TIN_VIEWERS = (Role.owner, Role.admin, Role.compliance)
MAX_PDF_BYTES = 5 * 1024 * 1024


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def w9_out(row: dict) -> W9Out:
    return W9Out(
        id=row["id"],
        partner_id=row["partner"],
        source=row["source"],
        name=row["name"],
        business_name=row["business_name"],
        classification=Classification(row["classification"]),
        llc_tax_class=row["llc_tax_class"],
        exempt_payee_code=row["exempt_payee_code"],
        address=row["address"],
        city=row["city"],
        state=row["state"],
        postal_code=row["postal_code"],
        tin_type=row["tin_type"],
        tin_masked=mask(row["tin_type"], row["tin_last4"]),
        signature_name=row["signature_name"],
        certified_at=as_utc(row["certified_at"]),
        received_at=as_utc(row["received_at"]),
        has_pdf=row["pdf"] is not None,
    )


async def create_link(actor: Actor, partner_id: int, base_url: str) -> W9LinkOut:
    """A new W-9 link for the partner; the URL is returned once and never stored."""
    actor.require_write()
    await get_scoped(Partner, actor, partner_id, "partner")
    token = token_source.token_urlsafe(32)
    stamp = now()
    expires = stamp + dt.timedelta(days=rules.w9_link_days(stamp.year))
    async with transaction():
        request = W9Request(
            firm=actor.firm_id,
            partner=partner_id,
            token_hash=_hash(token),
            created_by=actor.label,
            created_at=stamp,
            expires_at=expires,
        )
        await request.save()
        await audit.record(
            actor,
            "tax.w9_link.create",
            "partner",
            partner_id,
            after={"request_id": request.id, "expires_at": expires.isoformat()},
        )
    url = f"{base_url.rstrip('/')}/w9/{token}"
    return W9LinkOut(request_id=request.id, partner_id=partner_id, url=url, expires_at=expires)


async def open_link(token: str) -> dict:
    """The link's request with the partner's and firm's names, or Invalid naming the token:
    unknown, used or expired links are refused before the form is shown."""
    row = await W9Request.select().where(W9Request.token_hash == _hash(token)).first()
    if row is None:
        raise Invalid("this W-9 link is not valid: ask for a new one", field="token")
    if row["used_at"] is not None:
        raise Invalid("this W-9 link has already been used: ask for a new one", field="token")
    if as_utc(row["expires_at"]) <= now():
        raise Invalid("this W-9 link has expired: ask for a new one", field="token")
    partner = await Partner.select(Partner.name).where(Partner.id == row["partner"]).first()
    firm = await Firm.select(Firm.name).where(Firm.id == row["firm"]).first()
    return {**row, "partner_name": partner["name"], "firm_name": firm["name"]}


async def _store(actor: Actor, partner_id: int, data: W9In, source: str, pdf: bytes | None) -> dict:
    """Insert a W-9, superseding the one on file (call inside a transaction)."""
    tin = parse_tin(data.tin_type, data.tin)
    if data.classification is Classification.llc and not data.llc_tax_class:
        raise Invalid("an LLC states its tax classification: C, S or P", field="llc_tax_class")
    stamp = now()
    await W9.update({W9.superseded_at: stamp}).where(
        W9.firm == actor.firm_id, W9.partner == partner_id, W9.superseded_at.is_null()
    )
    fields = data.model_dump(exclude={"tin", "certify"})
    row = W9(
        firm=actor.firm_id,
        partner=partner_id,
        source=source,
        **{**fields, "classification": data.classification.value},
        tin_encrypted=tin.encrypted(),
        tin_last4=tin.last4,
        certified_at=stamp,
        pdf=secrets.encrypt(base64.b64encode(pdf).decode()) if pdf else None,
        pdf_sha256=hashlib.sha256(pdf).hexdigest() if pdf else None,
        received_by=actor.label,
        received_at=stamp,
    )
    await row.save()
    out = w9_out(await W9.select().where(W9.id == row.id).first())
    await audit.record(actor, "tax.w9.receive", "partner", partner_id, after=out)
    return {"id": row.id, "out": out}


async def submit_w9(token: str, data: W9In) -> W9Out:
    """The partner's W-9 through the link. One transaction: the link is spent only when the
    W-9 is stored, and a second submission of the same link is refused."""
    request = await open_link(token)
    actor = Actor(firm_id=request["firm"], label=f"w9-link:{request['id']}", role=Role.member)
    async with transaction():
        spent = (
            await W9Request.update({W9Request.used_at: now()})
            .where(W9Request.id == request["id"], W9Request.used_at.is_null())
            .returning(W9Request.id)
        )
        if not spent:
            raise Invalid("this W-9 link has already been used: ask for a new one", field="token")
        stored = await _store(actor, request["partner"], data, "form", None)
        await W9Request.update({W9Request.w9: stored["id"]}).where(W9Request.id == request["id"])
    get_plugin_manager().hook.tax_profile_changed(partner_id=request["partner"], actor=actor)
    return stored["out"]


async def upload_w9(actor: Actor, partner_id: int, data: W9In, pdf: bytes) -> W9Out:
    """A signed W-9 PDF received some other way, with its fields typed in by a person."""
    actor.require_write()
    await get_scoped(Partner, actor, partner_id, "partner")
    if not pdf.startswith(b"%PDF-"):
        raise Invalid("the signed W-9 must be a PDF file", field="pdf")
    if len(pdf) > MAX_PDF_BYTES:
        raise Invalid("the signed W-9 PDF must be 5 MB or smaller", field="pdf")
    async with transaction():
        stored = await _store(actor, partner_id, data, "upload", pdf)
    get_plugin_manager().hook.tax_profile_changed(partner_id=partner_id, actor=actor)
    return stored["out"]


async def _current_row(actor: Actor, partner_id: int) -> dict | None:
    return (
        await W9.select()
        .where(W9.firm == actor.firm_id, W9.partner == partner_id, W9.superseded_at.is_null())
        .first()
    )


async def current_w9(actor: Actor, partner_id: int) -> W9Out | None:
    await get_scoped(Partner, actor, partner_id, "partner")
    row = await _current_row(actor, partner_id)
    return w9_out(row) if row else None


async def w9s_on_file(actor: Actor) -> dict[int, W9Out]:
    """Every partner's current W-9, by partner id."""
    rows = await W9.select().where(W9.firm == actor.firm_id, W9.superseded_at.is_null())
    return {row["partner"]: w9_out(row) for row in rows}


async def open_requests(actor: Actor, partner_id: int) -> list[dict]:
    """The partner's links not yet used nor expired (their hashes only)."""
    rows = await W9Request.select(W9Request.id, W9Request.created_at, W9Request.expires_at).where(
        W9Request.firm == actor.firm_id,
        W9Request.partner == partner_id,
        W9Request.used_at.is_null(),
    )
    return [r for r in rows if as_utc(r["expires_at"]) > now()]


async def view_tin(actor: Actor, partner_id: int) -> str:
    """The partner's full TIN, for owners, admins and compliance; every view is audited."""
    if actor.role not in TIN_VIEWERS:
        raise Forbidden(f"role {actor.role} cannot see full TINs")
    row = await _current_row(actor, partner_id)
    if row is None:
        await get_scoped(Partner, actor, partner_id, "partner")
        raise NotFound(f"partner {partner_id} has no W-9 on file")
    digits = reveal(row["tin_encrypted"])
    async with transaction():
        await audit.record(actor, "tax.tin.view", "partner", partner_id, after={"w9_id": row["id"]})
    return parse_tin(row["tin_type"], digits).formatted


async def w9_pdf(actor: Actor, partner_id: int) -> bytes:
    """The uploaded signed W-9 (it shows the full TIN: viewing it is audited likewise)."""
    if actor.role not in TIN_VIEWERS:
        raise Forbidden(f"role {actor.role} cannot open signed W-9s")
    row = await _current_row(actor, partner_id)
    if row is None or row["pdf"] is None:
        raise NotFound(f"partner {partner_id} has no signed W-9 PDF on file")
    async with transaction():
        await audit.record(actor, "tax.w9_pdf.view", "partner", partner_id)
    return base64.b64decode(secrets.decrypt(row["pdf"]))


async def tin_digits(firm_id: int, w9_id: int) -> str:
    """The nine digits of a stored W-9 for a filing (the caller's records are audited)."""
    row = await W9.select(W9.tin_encrypted).where(W9.firm == firm_id, W9.id == w9_id).first()
    return reveal(row["tin_encrypted"])
