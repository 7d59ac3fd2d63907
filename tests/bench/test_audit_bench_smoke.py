"""The audit benchmark at a tiny scale: the bulk-written chain is one `verify` accepts, so
the benchmark measures a real walk (its speed is for `python -m bench.audit` to report)."""

from rapport_core.audit.tables import AuditChainHead
from rapport_core.audit.verify import verify_chain
from rapport_core.tables import AuditEvent, Firm

from bench.audit import measure


async def test_bulk_written_events_form_a_chain_that_verify_accepts(client):
    figures = await measure(events=2_500)
    firm = (
        await Firm.select(Firm.id)
        .where(Firm.name == "Audit Bench")
        .order_by(Firm.id, ascending=False)
        .first()
    )
    assert await AuditEvent.count().where(AuditEvent.firm == firm["id"]) == 2_501  # + firm.create
    head = await AuditChainHead.select().where(AuditChainHead.firm == firm["id"]).first()
    assert head["events"] == 2_501
    assert figures.chain_ok and figures.events == 2_501
    assert figures.verify_seconds > 0 and figures.verify_events_per_second > 0
    assert figures.verify_cpu_seconds > 0
    assert figures.peak_memory_mb > 0
    assert (await verify_chain(firm["id"])).ok
