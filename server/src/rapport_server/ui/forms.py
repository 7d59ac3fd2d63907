"""HTML forms: reading posted fields, and showing a form again with its problems.

A page's form fields are named like the schema fields they fill, so an error's field name
(pydantic's ``loc`` or ``RapportError.field``) is also the name of the input to flag.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from litestar import Response
from litestar.response import Redirect, Template
from pydantic import ValidationError
from pydantic_core import ErrorDetails
from rapport_core.errors import Forbidden, NotFound, RapportError

#: Where a problem that belongs to no single field is shown: above the form.
FORM = "form"
CSRF_FIELD = "_csrf_token"

FieldErrors = dict[str, str]
RawForm = dict[str, str]


@dataclass
class FormState:
    """What a form template shows: the values in its inputs and the problems to flag."""

    values: RawForm = field(default_factory=dict)
    errors: FieldErrors = field(default_factory=dict)

    def summary(self) -> list[tuple[str | None, str]]:
        """(input to link to, text) for each problem, for the summary above the form: the
        form-wide problem first, then in the order of the inputs (browsers post fields in
        page order)."""
        order = {name: position for position, name in enumerate([FORM, *self.values])}
        names = sorted(self.errors, key=lambda name: order.get(name, len(order)))
        return [
            (None, self.errors[name])
            if name == FORM
            else (name, f"{humanize(name)}: {self.errors[name]}")
            for name in names
        ]


def read_form(data: Mapping[str, Any] | None) -> RawForm:
    """Posted fields as trimmed strings, without the CSRF token. A field sent twice keeps
    its last value: no Rapport form repeats a name."""
    form: RawForm = {}
    for name, value in (data or {}).items():
        if name == CSRF_FIELD:
            continue
        if isinstance(value, list):
            value = value[-1] if value else ""
        form[name] = str(value).strip()
    return form


def amount_input(text: str) -> str:
    """People type amounts the way they read them: "$1,500" is 1500."""
    return text.replace("$", "").replace(",", "")


def split_list(text: str) -> list[str]:
    """``"Estate planning, Tax"`` → ``["Estate planning", "Tax"]`` (for list fields)."""
    return [item.strip() for item in text.split(",") if item.strip()]


def join_list(items: list[str]) -> str:
    return ", ".join(items)


def blank_as_none(form: RawForm, names: tuple[str, ...]) -> dict[str, str | None]:
    """Optional fields left empty mean "none", not an empty string to validate."""
    return {name: form.get(name) or None for name in names}


def humanize(field: str) -> str:
    """``client_email`` → ``Client email``; ``partner_id`` → ``Partner``."""
    return field.removesuffix("_id").replace("_", " ").capitalize()


def _message(error: ErrorDetails) -> str:
    kind = error["type"]
    if kind == "missing" or error.get("input") in ("", None):
        return "This field is required."
    if kind.startswith("decimal") or kind in ("float_parsing", "int_parsing"):
        return "Enter a number, e.g. 1500 or 1500.00."
    if kind == "enum":
        return "Choose one of the options."
    message = error["msg"].removeprefix("Value error, ")
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


def field_errors(error: ValidationError) -> FieldErrors:
    """One message per offending field (the first, when a field has several)."""
    errors: FieldErrors = {}
    for detail in error.errors():
        # ("specialties", 2) is the third specialty: flag the specialties input.
        field = str(detail["loc"][0]) if detail["loc"] else FORM
        errors.setdefault(field, _message(detail))
    return errors


def refusal(error: RapportError) -> tuple[FieldErrors, int]:
    """A service's refusal as form problems and the status to answer with."""
    if isinstance(error, Forbidden):
        return {FORM: f"You don't have permission to do that ({error.detail})."}, 403
    # A linked record that is missing is bad input to this form, not a missing page.
    status = 422 if isinstance(error, NotFound) else error.status
    return {error.field or FORM: error.detail}, status


async def submit(
    save: Callable[[], Awaitable[Response]],
    show_form: Callable[[FieldErrors], Awaitable[Template]],
) -> Response:
    """Run ``save`` (validate the input, call a service, redirect). If the input is invalid
    or a service refuses it, show the form again via ``show_form`` with each problem next to
    its field, answering with a 4xx status.

    A NotFound without a field means the page's own record is missing: that propagates, and
    the UI's error handler answers with a 404 page.
    """
    try:
        return await save()
    except ValidationError as error:
        errors, status = field_errors(error), 422
    except RapportError as error:
        if isinstance(error, NotFound) and error.field is None:
            raise
        errors, status = refusal(error)
    response = await show_form(errors)
    response.status_code = status
    return response


async def submit_and_redirect(
    action: Callable[[], Awaitable[object]],
    to: str,
    show_form: Callable[[FieldErrors], Awaitable[Template]],
) -> Response:
    """:func:`submit` for the usual form: run ``action`` (validate, call a service), then
    send the browser to ``to``, with 303 See Other so that a reload does not post again."""

    async def save() -> Response:
        await action()
        return Redirect(to, status_code=303)

    return await submit(save, show_form)
