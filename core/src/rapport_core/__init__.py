"""Rapport core: the referral-relationship domain, its plugin hooks and the CLI."""

__version__ = "0.1.0"

from rapport_core.plugins import hookimpl  # noqa: E402

__all__ = ["__version__", "hookimpl"]
