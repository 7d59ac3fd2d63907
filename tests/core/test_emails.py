"""The schemas' email check gives what pydantic's EmailStr gives: the same addresses
accepted, stored in the same form, and the same errors for the rest."""

import random
import string

import pytest
from pydantic import BaseModel, EmailStr, ValidationError
from rapport_core.emails import Email, normalise_email
from rapport_core.schemas import PartnerCreate


class Reference(BaseModel):
    email: EmailStr


class Ours(BaseModel):
    email: Email


ADDRESSES = [
    "ann.lee@example.com", "Ann.Lee@Example.COM", "a+tag@sub.example.co.uk", "x@y.io",
    "o'neil@law-firm.com", "first_last@a1.b2.museum", "INFO@firm.com", "Sales@firm.com",
    "support@firm.com", "a@b.test", "a@mail.local", "a@localhost", "a@x.onion", "a@b.invalid",
    "a@host.arpa", "a@example", "a@1.2.3.4", "a@x.c0m", "a@x.com1", "a@xn--bcher-kva.ch",
    "a@ab--cd.com", "a@x--y.com", "a@-x.com", "a@x-.com", "a@x..com", "a@.x.com", "a@x.com.",
    ".a@x.com", "a.@x.com", "a..b@x.com", "a b@x.com", '"a b"@x.com', "Ann <ann@x.com>",
    "ñandú@x.com", "a@bücher.de", "a@BÜCHER.de", "@x.com", "a@", "a", "", "a@@x.com",
    "a@x_y.com", "a@[127.0.0.1]", "a" * 64 + "@x.com", "a" * 65 + "@x.com",
    "a@" + "b" * 63 + ".com", "a@" + "b" * 64 + ".com",
    "a@" + ".".join(["b" * 60] * 4) + ".com", "a" * 64 + "@" + ".".join(["b" * 61] * 3) + ".com",
    "tab\t@x.com", "a@x.com\n", "a@x.c", "a@x." + "c" * 63, "a@x." + "c" * 64,
    "postmaster@x.com", "Postmaster@X.com", "abuse.team@x.com", "a=b@x.com", "{a}@x.com",
]  # fmt: skip


def _outcome(model: type[BaseModel], value: str):
    try:
        return "ok", model(email=value).email
    except ValidationError as error:
        return "error", [(e["type"], e["msg"]) for e in error.errors()]


@pytest.mark.parametrize("value", ADDRESSES)
def test_same_outcome_as_emailstr(value):
    assert _outcome(Ours, value) == _outcome(Reference, value)


def test_same_outcome_on_random_addresses():
    rng = random.Random(6)
    alphabet = string.ascii_letters + string.digits + ".-_+@'!é"
    for _ in range(5000):
        value = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 20)))
        if rng.random() < 0.7:
            value += rng.choice(["@example.com", "@Ex-ample.ORG", ".x@a.b.io", "@a--b.com"])
        assert _outcome(Ours, value) == _outcome(Reference, value), value


def test_partner_email_is_normalised_and_a_bad_one_named():
    partner = PartnerCreate(name="Ann", profession="cpa", email="  Ann@Example.COM ")
    assert partner.email == "Ann@example.com"
    with pytest.raises(ValidationError) as error:
        PartnerCreate(name="Ann", profession="cpa", email="ann@example")
    assert error.value.errors()[0]["loc"] == ("email",)
    assert "not a valid email address" in error.value.errors()[0]["msg"]
    assert normalise_email("a@B.io") == "a@b.io"
