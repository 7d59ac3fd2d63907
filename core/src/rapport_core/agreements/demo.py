"""The demo firm's agreements: fee-sharing agreements with its attorney partners (a few
coming up for renewal within 30, 60 and 90 days, one already lapsed), client consents for
referrals sent to them, and a solicitation agreement with an adviser."""

from __future__ import annotations

import datetime as dt
import html

from rapport_core.actors import Actor
from rapport_core.agreements.schemas import AgreementCreate, AgreementKind
from rapport_core.agreements.service import upload_agreement
from rapport_core.tables import Partner, Referral

#: Days from `today` to each fee-sharing agreement's expiry (None: no expiry date).
FEE_AGREEMENT_EXPIRY_DAYS = (21, 55, 84, -12, 400, None)


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
    attorneys = (
        await Partner.select(Partner.id, Partner.name)
        .where(Partner.firm == actor.firm_id, Partner.profession == "attorney")
        .order_by(Partner.id)
    )
    for partner, days in zip(attorneys, FEE_AGREEMENT_EXPIRY_DAYS, strict=False):
        signed = today - dt.timedelta(days=300)
        expires = today + dt.timedelta(days=days) if days is not None else None
        parties = [firm_name, partner["name"]]
        await upload_agreement(
            actor,
            AgreementCreate(
                partner_id=partner["id"],
                kind=AgreementKind.fee_sharing,
                signed_on=signed,
                signers=parties,
                effective_on=signed,
                expires_on=expires,
            ),
            demo_pdf(
                "Fee-sharing agreement",
                parties,
                "The lawyers divide the fee in proportion to the services each performs, with "
                "the client's written consent to the share each receives.",
            ),
            f"fee-sharing-{partner['id']}.pdf",
        )
        sent = (
            await Referral.select(Referral.id, Referral.client_name)
            .where(
                Referral.firm == actor.firm_id,
                Referral.partner == partner["id"],
                Referral.direction == "sent",
            )
            .order_by(Referral.referred_at, ascending=False)
            .first()
        )
        if sent:
            await upload_agreement(
                actor,
                AgreementCreate(
                    referral_id=sent["id"],
                    kind=AgreementKind.client_consent,
                    signed_on=today - dt.timedelta(days=10),
                    signers=[sent["client_name"]],
                    discloses_share=True,
                    discloses_division=True,
                ),
                demo_pdf(
                    "Client consent to a division of fees",
                    [sent["client_name"], *parties],
                    "I consent to the division of the fee between the lawyers named above and "
                    "to the share each will receive.",
                ),
                f"consent-{sent['id']}.pdf",
            )
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
