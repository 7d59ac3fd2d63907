"""The demo firm's agreements, as a careful firm keeps them: a fee-sharing agreement with
every lawyer it divides fees with (a few coming up for renewal within 30, 60 and 90 days, one
already lapsed), the client's written consent to the division (each lawyer's share and the
basis) on every matter shared with another lawyer, signed the day of the referral, save one
consent not back yet; and a solicitation agreement with an adviser."""

from __future__ import annotations

import datetime as dt
import html

from rapport_core.actors import Actor
from rapport_core.agreements.schemas import AgreementCreate, AgreementKind
from rapport_core.agreements.service import upload_agreement
from rapport_core.clock import as_utc
from rapport_core.tables import Partner, Referral

#: Days from `today` to a lawyer's fee-sharing agreement expiry, by partner name; the rest
#: run DEFAULT_EXPIRY_DAYS. The California one shows on the compliance page (California asks
#: for a written agreement in force when the fee is paid); Anthony Russo's lapsed with his
#: bar licence.
FEE_AGREEMENT_EXPIRY_DAYS = {"Anthony Russo": -12, "Catherine Wu": 21, "Owen Prescott": 55,
                             "Walter Kim": 84}  # fmt: skip
DEFAULT_EXPIRY_DAYS = 400
AGREEMENT_AGE_DAYS = 300  # for lawyers the firm has not yet shared a matter with


def demo_pdf(title: str, parties: list[str], body: str) -> bytes:
    """A one-page agreement, rendered like any document a firm would upload."""
    from weasyprint import HTML

    names = "".join(f"<li>{html.escape(name)}</li>" for name in parties)
    page = f"""<html><body style="font-family: serif; margin: 2cm">
    <h1 style="font-size: 16pt">{html.escape(title)}</h1><p>Between:</p><ul>{names}</ul>
    <p>{html.escape(body)}</p><p style="margin-top: 3cm">Signed: ____________________</p>
    </body></html>"""
    return HTML(string=page).write_pdf()


async def load_agreements(actor: Actor, firm_name: str, today: dt.date) -> None:
    """Before the money demo, as consents come before any fee is paid."""
    lawyers = (
        await Partner.select(Partner.id, Partner.name)
        .where(Partner.firm == actor.firm_id, Partner.profession == "attorney")
        .order_by(Partner.id)
    )
    shared = (
        await Referral.select(
            Referral.id, Referral.partner, Referral.client_name, Referral.referred_at,
            Referral.direction,
        )
        .where(
            Referral.firm == actor.firm_id,
            Referral.partner.is_in([p["id"] for p in lawyers] or [0]),
        )
        .order_by(Referral.referred_at)
    )  # fmt: skip
    # The newest matter a lawyer sent the firm: the client has not signed the consent yet.
    pending = next((r["id"] for r in reversed(shared) if r["direction"] == "received"), None)
    for partner in lawyers:
        theirs = [r for r in shared if r["partner"] == partner["id"]]
        first = as_utc(theirs[0]["referred_at"]).date() if theirs else None
        signed = first or today - dt.timedelta(days=AGREEMENT_AGE_DAYS)
        days = FEE_AGREEMENT_EXPIRY_DAYS.get(partner["name"], DEFAULT_EXPIRY_DAYS)
        parties = [firm_name, partner["name"]]
        await upload_agreement(
            actor,
            AgreementCreate(
                partner_id=partner["id"],
                kind=AgreementKind.fee_sharing,
                signed_on=signed,
                signers=parties,
                effective_on=signed,
                expires_on=today + dt.timedelta(days=days),
            ),
            demo_pdf(
                "Fee-sharing agreement",
                parties,
                "The lawyers divide the fee, each assuming joint responsibility for the "
                "representation, with the client's written consent to the share each receives.",
            ),
            f"fee-sharing-{partner['id']}.pdf",
        )
        for referral in theirs:
            if referral["id"] != pending:
                await _client_consent(actor, referral, parties)
    adviser = (
        await Partner.select(Partner.id, Partner.name)
        .where(Partner.firm == actor.firm_id, Partner.profession == "financial_advisor")
        .order_by(Partner.id)
        .first()
    )
    if adviser:
        parties = [firm_name, adviser["name"]]
        await upload_agreement(
            actor,
            AgreementCreate(
                partner_id=adviser["id"],
                kind=AgreementKind.solicitation,
                signed_on=today - dt.timedelta(days=200),
                signers=parties,
                expires_on=today + dt.timedelta(days=165),
                disclosure_delivered=True,
            ),
            demo_pdf(
                "Solicitation agreement",
                parties,
                "The promoter's activities and compensation are as set out here; the required "
                "disclosure is delivered to each person referred.",
            ),
            f"solicitation-{adviser['id']}.pdf",
        )


async def _client_consent(actor: Actor, referral: dict, lawyers: list[str]) -> None:
    client = referral["client_name"]
    await upload_agreement(
        actor,
        AgreementCreate(
            referral_id=referral["id"],
            kind=AgreementKind.client_consent,
            signed_on=as_utc(referral["referred_at"]).date(),
            signers=[client],
            discloses_share=True,
            discloses_division=True,
        ),
        demo_pdf(
            "Client consent to a division of fees",
            [client, *lawyers],
            "I consent to the division of the fee between the lawyers named above, each of "
            "whom assumes joint responsibility for my matter, and to the share each receives.",
        ),
        f"consent-{referral['id']}.pdf",
    )
