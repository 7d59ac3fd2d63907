"""Contact files as the real exporters write them (header layouts, preambles, quoting,
encodings), built in code so each test shows the rows it depends on."""

from __future__ import annotations

import csv
import io

OUTLOOK_HEADERS = [
    "First Name", "Middle Name", "Last Name", "Title", "Suffix", "Initials", "Web Page",
    "Gender", "Birthday", "Anniversary", "Location", "Language", "Internet Free Busy", "Notes",
    "E-mail Address", "E-mail 2 Address", "E-mail 3 Address", "Primary Phone", "Home Phone",
    "Home Phone 2", "Mobile Phone", "Pager", "Home Fax", "Home Address", "Home Street",
    "Home Street 2", "Home Street 3", "Home Address PO Box", "Home City", "Home State",
    "Home Postal Code", "Home Country", "Spouse", "Children", "Manager's Name",
    "Assistant's Name", "Referred By", "Company Main Phone", "Business Phone",
    "Business Phone 2", "Business Fax", "Assistant's Phone", "Company", "Job Title",
    "Department", "Office Location", "Organizational ID Number", "Profession", "Account",
    "Business Address", "Business Street", "Business Street 2", "Business Street 3",
    "Business Address PO Box", "Business City", "Business State", "Business Postal Code",
    "Business Country", "Other Phone", "Other Fax", "Other Address", "Other Street",
    "Other Street 2", "Other Street 3", "Other Address PO Box", "Other City", "Other State",
    "Other Postal Code", "Other Country", "Callback", "Car Phone", "ISDN", "Radio Phone",
    "TTY/TDD Phone", "Telex", "User 1", "User 2", "User 3", "User 4", "Keywords", "Mileage",
    "Hobby", "Billing Information", "Directory Server", "Sensitivity", "Priority", "Private",
    "Categories",
]  # fmt: skip

GOOGLE_HEADERS = [
    "First Name", "Middle Name", "Last Name", "Phonetic First Name", "Phonetic Middle Name",
    "Phonetic Last Name", "Name Prefix", "Name Suffix", "Nickname", "File As",
    "Organization Name", "Organization Title", "Organization Department", "Birthday", "Notes",
    "Photo", "Labels", "E-mail 1 - Label", "E-mail 1 - Value", "E-mail 2 - Label",
    "E-mail 2 - Value", "Phone 1 - Label", "Phone 1 - Value", "Address 1 - Label",
    "Address 1 - Formatted", "Address 1 - Street", "Address 1 - City", "Address 1 - PO Box",
    "Address 1 - Region", "Address 1 - Postal Code", "Address 1 - Country",
    "Address 1 - Extended Address", "Website 1 - Label", "Website 1 - Value",
]  # fmt: skip

LINKEDIN_HEADERS = ["First Name", "Last Name", "URL", "Email Address", "Company", "Position",
                    "Connected On"]  # fmt: skip
LINKEDIN_PREAMBLE = (
    "Notes:\r\n"
    '"When exporting your connection data, you may notice that some of the email addresses '
    "are missing. You will only see email addresses for connections who have allowed their "
    'connections to see or download their email address using this setting."\r\n'
    "\r\n"
)


def table(headers: list[str], rows: list[dict[str, str]], *, delimiter: str = ",") -> str:
    """CSV text with every header and the given cells (the rest empty), quoted as needed."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        unknown = set(row) - set(headers)
        assert not unknown, unknown
        writer.writerow([row.get(h, "") for h in headers])
    return out.getvalue()


def outlook(rows: list[dict[str, str]], **kwargs) -> str:
    return table(OUTLOOK_HEADERS, rows, **kwargs)


def google(rows: list[dict[str, str]], **kwargs) -> str:
    return table(GOOGLE_HEADERS, rows, **kwargs)


def linkedin(rows: list[dict[str, str]]) -> str:
    return LINKEDIN_PREAMBLE + table(LINKEDIN_HEADERS, rows)


def vcard(*cards: str) -> str:
    return "".join(cards)


VCARD_3 = """BEGIN:VCARD\r
VERSION:3.0\r
N:Ortiz;Dana;;;\r
FN:Dana Ortiz\r
ORG:Ortiz Tax Group\r
TITLE:Managing partner\r
EMAIL;TYPE=INTERNET;TYPE=WORK:dana@ortiz.example\r
TEL;TYPE=CELL:(305) 555-0199\r
ADR;TYPE=WORK:;;1 Bay Rd;Tampa;Florida;33602;USA\r
CATEGORIES:CPA,Tampa\r
NOTE:Met at the estate planning council\\nlikes golf\r
UID:urn:uuid:11111111-2222-3333-4444-555555555555\r
END:VCARD\r
"""

VCARD_4 = """BEGIN:VCARD\r
VERSION:4.0\r
FN:Ana María Lee\r
N:Lee;Ana;María;;\r
ORG:Lee & Park\\, LLP\r
EMAIL;TYPE=work;PREF=1:ana@leepark.example\r
TEL;VALUE=uri;TYPE="voice,work":tel:+1-305-555-0101\r
ADR;TYPE=work:;;100 Main St;Miami;FL;33101;USA\r
UID:urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1\r
END:VCARD\r
"""
