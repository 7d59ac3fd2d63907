"""Previous/next links for list pages, keeping the current filters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from rapport_core.schemas import Page


@dataclass(frozen=True)
class Pager:
    page: int
    per_page: int
    total: int
    #: The list's filters, as they appear in the address (empty ones left out).
    filters: dict[str, str]

    @classmethod
    def of(cls, result: Page[Any], filters: dict[str, str]) -> Pager:
        kept = {name: value for name, value in filters.items() if value}
        return cls(result.page, result.per_page, result.total, kept)

    @property
    def first(self) -> int:
        """1-based position of the page's first item (0 when there are none)."""
        return min((self.page - 1) * self.per_page + 1, self.total)

    @property
    def last(self) -> int:
        return min(self.page * self.per_page, self.total)

    def _url(self, page: int) -> str:
        query = {**self.filters, "page": str(page)} if page > 1 else self.filters
        return "?" + urlencode(query) if query else "?"

    @property
    def prev_url(self) -> str | None:
        return self._url(self.page - 1) if self.page > 1 else None

    @property
    def next_url(self) -> str | None:
        return self._url(self.page + 1) if self.last < self.total else None
