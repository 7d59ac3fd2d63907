"""``rapport rulepack new``: a small pack that passes validate and test, to edit from."""

from __future__ import annotations

import re
from pathlib import Path

PACK = """\
id: {pack_id}
title: {title}
jurisdiction: {jurisdiction}
professions: [{profession}]
version: 0.1.0
effective_from: 2026-01-01
effective_until: null
maintainers:
  - {{name: Your name, email: you@example.com}}
sources:
  - {{title: The rule's official text, url: https://example.com/rules}}
extends: [{extends}]
disable: []
"""

RULE = """\
# One rule and its example cases. The fact names are in docs/facts.md; the format is in
# docs/rulepacks.md. Check with: rapport rulepack validate . && rapport rulepack test .
id: {prefix}.client-written-consent
title: The client consented in writing to the referral fee
severity: violation                 # violation | warning | info
subject: fee                        # referral | partner | fee | payment
citation:
  text: Replace with the rule's citation, e.g. Rule 1.5(e)(2)
  url: https://example.com/rules
applies_when:
  firm_professions: [{profession}]
  fee_kinds: [division, referral_fee]
when:
  any:
    - {{fact: agreement.client_consent, absent: true}}
    - {{not: {{fact: agreement.client_consent.written, eq: true}}}}
message: >-
  No written client consent is on file for the ${{fee.amount}} fee with {{partner.name}}.
remediation: >-
  Obtain the client's written consent to the fee and its terms, and upload it to the referral.
cases:
  - name: no consent on file
    facts:
      firm: {{profession: {profession}, jurisdiction: {case_jurisdiction}}}
      fee: {{kind: referral_fee, amount: 1500.00}}
      agreement: {{client_consent: null}}
    expect: fire
  - name: written consent on file
    facts:
      firm: {{profession: {profession}, jurisdiction: {case_jurisdiction}}}
      fee: {{kind: referral_fee, amount: 1500.00}}
      agreement: {{client_consent: {{written: true, obtained_on: 2026-03-01}}}}
    expect: none
  - name: consent given orally, confirmed by email later
    expect: todo
"""


def scaffold(
    directory: Path,
    *,
    pack_id: str | None = None,
    title: str | None = None,
    jurisdiction: str = "US",
    profession: str = "attorney",
    extends: list[str] | None = None,
) -> list[Path]:
    directory = Path(directory)
    if (directory / "pack.yaml").exists():
        raise ValueError(f"{directory / 'pack.yaml'} already exists")
    pack_id = pack_id or re.sub(r"[^a-z0-9]+", "-", directory.resolve().name.lower()).strip("-")
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", pack_id or ""):
        raise ValueError(f"pack id {pack_id!r}: use lowercase letters, digits and dashes (--id)")
    if not re.fullmatch(r"US(-[A-Z]{2})?", jurisdiction):
        raise ValueError(f"jurisdiction {jurisdiction!r}: use US or US-XX, e.g. US-CA")
    prefix = pack_id.replace("-", "_")
    values = dict(
        pack_id=pack_id,
        title=title or f"{pack_id} rules",
        jurisdiction=jurisdiction,
        profession=profession,
        extends=", ".join(extends or []),
        prefix=prefix,
        case_jurisdiction="US-CA" if jurisdiction == "US" else jurisdiction,
    )
    (directory / "rules").mkdir(parents=True, exist_ok=True)
    files = [directory / "pack.yaml", directory / "rules" / "client-written-consent.yaml"]
    files[0].write_text(PACK.format(**values), encoding="utf-8")
    files[1].write_text(RULE.format(**values), encoding="utf-8")
    return files
