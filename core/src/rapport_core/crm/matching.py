"""Which partner a CRM record is: external id first, then normalised email; a person whose
name and organisation match (and nothing else does) is only a suggestion to merge. A record
without an organisation (a Lawmatics referral source named "Dana Ortiz, CPA") is suggested
for the one partner of that name, whatever their organisation; with several, for none."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from rapport_core.actors import Actor
from rapport_core.identity import email_key, name_key
from rapport_core.tables import Partner


@dataclass
class PartnerIndex:
    """The firm's partners by normalised email and by name + organisation, loaded once per
    sync (one query, when first needed) and kept current as the sync creates partners."""

    by_email: dict[str, int] = field(default_factory=dict)
    by_name: dict[str, int] = field(default_factory=dict)
    #: Person name alone -> the one ``by_name`` key with that name (None: more than one).
    #: It names a key, not a partner, so partners queued under placeholder ids resolve
    #: through ``by_name`` once created.
    by_person: dict[str, str | None] = field(default_factory=dict)
    #: Each partner's external ids; as the stored JSON text until first asked for (a sync
    #: looks at few of them, and parsing every partner's would cost more than the rest).
    external: dict[int, dict[str, str] | str] = field(default_factory=dict)

    #: Keys that name a placeholder (a queued partner's negative id), for :meth:`resolve`.
    _placeholders: list[tuple[dict[str, int], str]] = field(default_factory=list)

    #: False until :meth:`load` has run: a page whose records are all linked already (a
    #: re-sync) never needs the index, so a sync loads it when a page first does.
    loaded: bool = False

    async def load(self, actor: Actor) -> None:
        self.loaded = True
        rows = await (
            Partner.select(
                Partner.id, Partner.name, Partner.organisation, Partner.email, Partner.external_ids
            )
            .where(Partner.firm == actor.firm_id)
            .order_by(Partner.id)
        )
        for row in rows:
            self.add(row["id"], row["name"], row["organisation"], row["email"], row["external_ids"])

    def add(
        self,
        partner_id: int,
        name: str,
        organisation: str,
        email: str | None,
        external_ids: dict[str, str] | str | None,
    ) -> None:
        if key := email_key(email):
            self._index(self.by_email, key, partner_id)
        if key := name_key(name, organisation):
            self._index(self.by_name, key, partner_id)
            person = name_key(name)
            if self.by_person.setdefault(person, key) != key:
                self.by_person[person] = None  # two partners of that name: no guess
        self.external[partner_id] = (
            external_ids if isinstance(external_ids, str) else dict(external_ids or {})
        )

    def _index(self, mapping: dict[str, int], key: str, partner_id: int) -> None:
        if mapping.setdefault(key, partner_id) == partner_id and partner_id < 0:
            self._placeholders.append((mapping, key))

    def resolve(self, real: dict[int, int]) -> None:
        """Queued partners were created: their placeholder ids -> their real ids."""
        for mapping, key in self._placeholders:
            mapping[key] = real[mapping[key]]
        self._placeholders.clear()
        for placeholder, partner_id in real.items():
            self.external[partner_id] = self.external.pop(placeholder)

    def external_ids(self, partner_id: int) -> dict[str, str]:
        ids = self.external[partner_id]
        if isinstance(ids, str):
            ids = self.external[partner_id] = json.loads(ids) or {}
        return ids

    def by_email_of(self, email: str | None) -> int | None:
        key = email_key(email)
        return self.by_email.get(key) if key else None

    def by_name_of(self, name: str, organisation: str) -> int | None:
        key = name_key(name, organisation)
        if not key:
            return None
        found = self.by_name.get(key)
        if found is None and not (organisation or "").strip():
            only = self.by_person.get(key)
            found = self.by_name.get(only) if only else None
        return found
