"""Sending an approved partner update by SMTP (``RAPPORT_SMTP_URL``, ``RAPPORT_MAIL_FROM``).

Only :func:`rapport_core.pipeline.drafts.approve_draft` calls this, after a person approved
the message: nothing reaches a partner without that.
"""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from email.message import EmailMessage
from urllib.parse import unquote, urlparse

from rapport_core.errors import RapportError
from rapport_core.settings import get_settings

_DEFAULT_PORTS = {"smtp": 25, "smtps": 465, "smtp+starttls": 587}


class DeliveryFailed(RapportError):
    status = 502
    title = "Mail server refused the message"


def mail_configured() -> bool:
    return bool(get_settings().smtp_url)


def _deliver(message: EmailMessage, url: str) -> None:
    parsed = urlparse(url)
    if parsed.scheme not in _DEFAULT_PORTS or not parsed.hostname:
        raise DeliveryFailed("RAPPORT_SMTP_URL must be smtp://, smtps:// or smtp+starttls://host")
    port = parsed.port or _DEFAULT_PORTS[parsed.scheme]
    smtp_class = smtplib.SMTP_SSL if parsed.scheme == "smtps" else smtplib.SMTP
    with smtp_class(parsed.hostname, port, timeout=30) as server:
        if parsed.scheme == "smtp+starttls":
            server.starttls(context=ssl.create_default_context())
        if parsed.username:
            server.login(unquote(parsed.username), unquote(parsed.password or ""))
        server.send_message(message)


async def send_mail(*, to: str, subject: str, body: str, reply_to: str | None = None) -> None:
    """Send one plain-text message; any failure becomes :class:`DeliveryFailed`."""
    settings = get_settings()
    if not settings.mail_from:
        raise DeliveryFailed("RAPPORT_MAIL_FROM is not set")
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = subject
    if reply_to:
        message["Reply-To"] = reply_to
    message.set_content(body)
    try:
        await asyncio.to_thread(_deliver, message, settings.smtp_url)
    except (OSError, smtplib.SMTPException) as error:
        raise DeliveryFailed(f"could not send to {to}: {error}") from error
