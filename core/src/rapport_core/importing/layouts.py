"""The export layouts Rapport recognises by their header, and the column mapping of any other
CSV. A mapping sends each column to one partner field (``TARGETS``) or ignores it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

#: Partner fields a column can fill, with the label the mapping step shows.
TARGETS: dict[str, str] = {
    "name": "Full name",
    "first_name": "First name",
    "middle_name": "Middle name",
    "last_name": "Last name",
    "organisation": "Organisation / company",
    "title": "Job title (kept in notes)",
    "profession": "Profession",
    "specialties": "Specialties / practice areas",
    "email": "Email",
    "phone": "Phone",
    "address": "Street address",
    "city": "City",
    "state": "State",
    "postal_code": "ZIP code",
    "tags": "Tags / categories",
    "notes": "Notes",
    "registration": "Registration (SEC/state adviser, FINRA broker-dealer or representative)",
    "external_id": "Id in the source system",
}
IGNORE = ""


@dataclass(frozen=True)
class Layout:
    """A known export: the headers that identify it and where its columns go. Several
    columns may feed one field: the first non-empty one wins (``E-mail Address``, then
    ``E-mail 2 Address``…), except for tags and notes, which collect them all."""

    name: str
    label: str
    #: Every one of these headers is present in the export (compared case-insensitively).
    signature: tuple[str, ...]
    columns: dict[str, str] = field(default_factory=dict)
    #: The key of ``Partner.external_ids`` its ids (or derived import keys) go under.
    id_key: str = "csv"
    source: str = "csv"


OUTLOOK = Layout(
    name="outlook",
    label="Outlook contacts export",
    signature=("First Name", "Last Name", "E-mail Address", "Business City"),
    columns={
        "First Name": "first_name",
        "Middle Name": "middle_name",
        "Last Name": "last_name",
        "Company": "organisation",
        "Job Title": "title",
        "Profession": "profession",
        "E-mail Address": "email",
        "E-mail 2 Address": "email",
        "E-mail 3 Address": "email",
        "Business Phone": "phone",
        "Mobile Phone": "phone",
        "Primary Phone": "phone",
        "Company Main Phone": "phone",
        "Home Phone": "phone",
        "Business Street": "address",
        "Home Street": "address",
        "Business City": "city",
        "Home City": "city",
        "Business State": "state",
        "Home State": "state",
        "Business Postal Code": "postal_code",
        "Home Postal Code": "postal_code",
        "Categories": "tags",
        "Notes": "notes",
    },
    id_key="outlook",
)

GOOGLE = Layout(
    name="google",
    label="Google Contacts export",
    signature=("E-mail 1 - Value", "Phone 1 - Value"),
    columns={
        "Name": "name",  # the older layout's full name
        "First Name": "first_name",
        "Given Name": "first_name",
        "Middle Name": "middle_name",
        "Additional Name": "middle_name",
        "Last Name": "last_name",
        "Family Name": "last_name",
        "Organization Name": "organisation",
        "Organization 1 - Name": "organisation",
        "Organization Title": "title",
        "Organization 1 - Title": "title",
        "E-mail 1 - Value": "email",
        "E-mail 2 - Value": "email",
        "Phone 1 - Value": "phone",
        "Phone 2 - Value": "phone",
        "Address 1 - Street": "address",
        "Address 1 - City": "city",
        "Address 1 - Region": "state",
        "Address 1 - Postal Code": "postal_code",
        "Labels": "tags",
        "Group Membership": "tags",
        "Notes": "notes",
    },
    id_key="google",
)

LINKEDIN = Layout(
    name="linkedin",
    label="LinkedIn connections export",
    signature=("First Name", "Last Name", "Company", "Position", "Connected On"),
    columns={
        "First Name": "first_name",
        "Last Name": "last_name",
        "URL": "external_id",
        "Email Address": "email",
        "Company": "organisation",
        "Position": "title",
    },
    id_key="linkedin",
)

GENERIC = Layout(name="csv", label="CSV file (columns mapped by you)", signature=())
VCARD = Layout(name="vcard", label="vCard file", signature=(), id_key="vcard", source="vcard")

LAYOUTS = (OUTLOOK, GOOGLE, LINKEDIN)
BY_NAME = {layout.name: layout for layout in (*LAYOUTS, GENERIC, VCARD)}


def _fold(header: str) -> str:
    return header.strip().casefold()


def detect_layout(headers: list[str]) -> Layout | None:
    """The known export whose signature headers are all present, or None."""
    present = {_fold(h) for h in headers}
    for layout in LAYOUTS:
        if all(_fold(h) in present for h in layout.signature):
            return layout
    return None


def is_known_header(cells: list[str]) -> bool:
    return detect_layout(cells) is not None


def layout_mapping(layout: Layout, headers: list[str]) -> dict[str, str]:
    """A known layout's mapping for the headers this file actually has."""
    columns = {_fold(h): target for h, target in layout.columns.items()}
    return {h: columns.get(_fold(h), IGNORE) for h in headers}


#: Words in a generic CSV's column names, and the field they most likely mean.
_GUESSES: tuple[tuple[str, str], ...] = (
    (r"^(full )?name$|^contact( name)?$|^display name$", "name"),
    (r"^first( name)?$|^given( name)?$|^forename$", "first_name"),
    (r"^middle( name)?$", "middle_name"),
    (r"^last( name)?$|^surname$|^family name$", "last_name"),
    (r"e-?mail", "email"),
    (r"phone|mobile|cell|tel", "phone"),
    (r"^(company|organi[sz]ation|firm|employer|account)( name)?$", "organisation"),
    (r"title|position|role", "title"),
    (r"^profession$|^occupation$|^type$", "profession"),
    (r"specialt|practice|expertise", "specialties"),
    (r"street|address", "address"),
    (r"^city$|^town$|locality", "city"),
    (r"^state$|province|region", "state"),
    (r"zip|postal|postcode", "postal_code"),
    (r"tag|categor|label|group", "tags"),
    (r"note|comment", "notes"),
    (r"^registration$|^registered as$", "registration"),
    (r"^(id|external id|record id|contact id|uid)$", "external_id"),
)


def guess_mapping(headers: list[str]) -> dict[str, str]:
    """A first mapping for a CSV of unknown layout, which the person then corrects. Each
    field is guessed for one column at most (tags and notes may collect several)."""
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for header in headers:
        folded = _fold(header).replace("_", " ")
        target = next((t for pattern, t in _GUESSES if re.search(pattern, folded)), IGNORE)
        if target in taken and target not in ("tags", "notes"):
            target = IGNORE
        mapping[header] = target
        if target:
            taken.add(target)
    return mapping
