"""What callers see of a merge suggestion."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel

from rapport_core.schemas import Output

Decision = Literal["merge", "separate"]


class Person(BaseModel):
    """The details shown side by side with the partner's."""

    name: str = ""
    organisation: str = ""
    email: str | None = None
    phone: str | None = None
    city: str = ""
    state: str = ""


class MergeSuggestionOut(Output):
    id: int
    origin: Literal["crm", "import"]
    #: "Clio", "contacts.csv": where the possible duplicate came from.
    source: str
    reason: str
    partner_id: int
    partner: Person
    #: The possible duplicate: the CRM record, or the partner the import created.
    candidate: Person
    duplicate_id: int | None
    import_id: int | None
    connector: str
    external_id: str
    status: Literal["pending", "merged", "separate"]
    created_at: dt.datetime
    decided_by: str | None
    decided_at: dt.datetime | None
