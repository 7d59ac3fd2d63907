"""The money domain's built-in plugin: the default fee formulas (``calculate_referral_fee``)
and the ``rapport payouts`` and ``rapport fees`` commands."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import click

from rapport_core.cli import MoneyParam, emit, run
from rapport_core.commands import cli_actor, firm_option
from rapport_core.money.schemas import (
    ArrangementKind,
    ArrangementVersionOut,
    PaymentMethod,
    parse_terms,
)
from rapport_core.plugins import hookimpl
from rapport_core.schemas import ReferralOut


@hookimpl
def calculate_referral_fee(
    referral: ReferralOut,
    fee_collected: Decimal,
    arrangement: ArrangementVersionOut | None,
    collected_before: Decimal,
) -> Decimal | None:
    from rapport_core.money.fees import fee_for

    if arrangement is None or arrangement.kind not in ArrangementKind:
        return None
    return fee_for(
        parse_terms(arrangement.kind, arrangement.parameters), fee_collected, collected_before
    )


@hookimpl
def register_commands(cli: click.Group) -> None:
    cli.add_command(payouts_group)
    cli.add_command(fees_group)


async def _person(firm_slug: str | None, email: str | None):
    """The CLI acts as the firm's owner ("cli"), or with ``--by`` as that user, so that a
    second person can approve what the first accrued (four eyes)."""
    from rapport_core.actors import Actor
    from rapport_core.tables import User
    from rapport_core.vocabulary import Role

    actor = await cli_actor(firm_slug)
    if email is None:
        return actor
    user = (
        await User.select()
        .where(User.firm == actor.firm_id, User.email == email.lower(), User.active.eq(True))
        .first()
    )
    if user is None:
        raise click.ClickException(f"no active user {email} in this firm")
    return Actor(
        firm_id=actor.firm_id, label=user["email"], role=Role(user["role"]), user_id=user["id"]
    )


by_option = click.option("--by", "by_email", metavar="EMAIL", help="Act as this user.")
PAYOUT_COLUMNS = ["id", "status", "partner_name", "client_name", "amount", "accrued_on", "paid_on"]


@click.group("payouts")
def payouts_group() -> None:
    """Referral fees the firm owes partners: list, approve, pay, void, reverse."""


@payouts_group.command("list")
@click.option("--status", type=click.Choice(["pending", "approved", "paid", "void"]))
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@firm_option
def payouts_list(status: str | None, as_json: bool, firm_slug: str | None) -> None:
    """Payouts, oldest accrual first."""
    from rapport_core.money.ledger import list_payouts
    from rapport_core.money.schemas import PayoutFilter

    async def body():
        return await list_payouts(await cli_actor(firm_slug), PayoutFilter(status=status))

    emit(run(body), as_json=as_json, columns=PAYOUT_COLUMNS)


@payouts_group.command("approve")
@click.argument("payout_id", type=int)
@click.option("--override-reason", help="Approve despite compliance violations, saying why.")
@by_option
@firm_option
def payouts_approve(payout_id, override_reason, by_email, firm_slug) -> None:
    """Approve a pending payout after the compliance gate (not by the person who accrued it)."""
    from rapport_core.money.ledger import get_payout
    from rapport_core.money.payouts import approve_payout, gate_findings
    from rapport_core.money.schemas import PayoutApprove

    async def body():
        actor = await _person(firm_slug, by_email)
        for finding in await gate_findings(actor, await get_payout(actor, payout_id)):
            click.echo(f"{finding.severity}: {finding.message} ({finding.citation})")
        return await approve_payout(
            actor, payout_id, PayoutApprove(override_reason=override_reason)
        )

    payout = run(body)
    click.echo(f"Approved payout {payout.id}: ${payout.amount} to {payout.partner_name}")


@payouts_group.command("pay")
@click.argument("payout_id", type=int)
@click.option("--on", "paid_on", type=click.DateTime(["%Y-%m-%d"]), help="Default: today.")
@click.option("--method", type=click.Choice([m.value for m in PaymentMethod]), required=True)
@click.option("--reference", default="", help="Cheque number, transfer id…")
@click.option("--closed-year-reason", help="Why a payment is dated in a closed tax year.")
@by_option
@firm_option
def payouts_pay(payout_id, paid_on, method, reference, closed_year_reason, by_email, firm_slug):
    """Mark an approved payout paid."""
    from rapport_core.money.payouts import pay_payout
    from rapport_core.money.schemas import PayoutPay

    data = PayoutPay(
        paid_on=(paid_on.date() if paid_on else dt.date.today()),
        method=method,
        reference=reference,
        closed_year_reason=closed_year_reason,
    )

    async def body():
        return await pay_payout(await _person(firm_slug, by_email), payout_id, data)

    payout = run(body)
    click.echo(f"Paid payout {payout.id} on {payout.paid_on}")


@payouts_group.command("void")
@click.argument("payout_id", type=int)
@click.option("--reason", required=True)
@by_option
@firm_option
def payouts_void(payout_id, reason, by_email, firm_slug):
    """Void a payout that was not paid."""
    from rapport_core.money.payouts import void_payout
    from rapport_core.money.schemas import ReasonIn

    async def body():
        return await void_payout(
            await _person(firm_slug, by_email), payout_id, ReasonIn(reason=reason)
        )

    click.echo(f"Voided payout {run(body).id}")


@payouts_group.command("reverse")
@click.argument("payout_id", type=int)
@click.option("--reason", required=True)
@click.option("--closed-year-reason", help="Why a reversal is dated in a closed tax year.")
@by_option
@firm_option
def payouts_reverse(payout_id, reason, closed_year_reason, by_email, firm_slug):
    """Reverse a paid payout with a negating entry dated today."""
    from rapport_core.money.payouts import reverse_payout
    from rapport_core.money.schemas import ReversalIn

    data = ReversalIn(reason=reason, closed_year_reason=closed_year_reason)

    async def body():
        return await reverse_payout(await _person(firm_slug, by_email), payout_id, data)

    reversal = run(body)
    click.echo(f"Reversed payout {payout_id} with payout {reversal.id} (${reversal.amount})")


@click.group("fees")
def fees_group() -> None:
    """Fee arrangements and fees collected."""


@fees_group.command("calculate")
@click.option("--kind", type=click.Choice([k.value for k in ArrangementKind]), required=True)
@click.option(
    "--params",
    "parameters",
    required=True,
    help='Terms as JSON, e.g. \'{"method": "percentage", "percent": "25"}\'.',
)
@click.option("--collected", type=MoneyParam(), required=True, help="Fee collected.")
@click.option(
    "--before",
    "collected_before",
    type=MoneyParam(),
    default="0",
    help="Collected earlier on the referral.",
)
def fees_calculate(kind, parameters, collected, collected_before) -> None:
    """What an arrangement pays on a fee collected (nothing is stored)."""
    from rapport_core.money.quotes import quote
    from rapport_core.money.schemas import FeeQuote

    try:
        terms = json.loads(parameters)
    except json.JSONDecodeError as error:
        raise click.ClickException(f"--params is not JSON: {error}") from error

    async def body():
        return quote(
            FeeQuote(
                kind=kind,
                parameters=terms,
                fee_collected=collected,
                collected_before=collected_before,
            )
        )

    result = run(body, migrate=False)
    click.echo(f"${result.fee}  ({result.explanation})")


@fees_group.command("record")
@click.argument("referral_id", type=int)
@click.argument("amount", type=MoneyParam())
@click.option("--on", "collected_on", type=click.DateTime(["%Y-%m-%d"]), help="Default: today.")
@click.option("--reference", default="")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@firm_option
def fees_record(referral_id, amount, collected_on, reference, as_json, firm_slug):
    """Record a fee collected on an engaged referral; shows what it accrued."""
    from rapport_core.money.accruals import record_fee_collected
    from rapport_core.money.schemas import FeeCollectedIn

    async def body():
        data = FeeCollectedIn(
            amount=amount,
            collected_on=collected_on.date() if collected_on else dt.date.today(),
            reference=reference,
        )
        return await record_fee_collected(await cli_actor(firm_slug), referral_id, data)

    result = run(body)
    if as_json:
        click.echo(result.model_dump_json(indent=2))
        return
    for accrual in [*result.payouts, *result.receivables]:
        click.echo(f"Accrued ${accrual.amount}: {accrual.explanation}")
    if result.note:
        click.echo(f"Nothing accrued: {result.note}")
