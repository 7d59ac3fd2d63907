"""Who is acting, and for which firm. Every service call takes one; it is the tenancy boundary."""

from __future__ import annotations

from dataclasses import dataclass

from rapport_core.errors import Forbidden
from rapport_core.vocabulary import Role


@dataclass(frozen=True)
class Actor:
    firm_id: int
    #: How the audit log names this actor: a user's email, or "cli" / "demo" for tools.
    label: str
    role: Role
    user_id: int | None = None

    def require_write(self) -> None:
        if not self.role.can_write:
            raise Forbidden(f"role {self.role} is read-only")

    def require_user_admin(self) -> None:
        if not self.role.can_manage_users:
            raise Forbidden(f"role {self.role} cannot manage users")

    def require_firm_admin(self) -> None:
        """Firm-wide settings: the same people who manage users."""
        if not self.role.can_manage_users:
            raise Forbidden(f"role {self.role} cannot change firm settings")
