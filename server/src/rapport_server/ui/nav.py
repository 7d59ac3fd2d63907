"""The main navigation: the pages grouped into a few sections, with the current one marked."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rapport_server.ui.rendering import SignedIn


@dataclass(frozen=True)
class NavLink:
    href: str
    label: str
    roles: tuple[str, ...] = ()  # who sees the link; everyone when empty
    current: bool = False


@dataclass(frozen=True)
class NavGroup:
    key: str
    label: str
    links: tuple[NavLink, ...]

    @property
    def current(self) -> bool:
        return any(link.current for link in self.links)


SECTIONS = (
    NavGroup("today", "Today", (NavLink("/", "Today"),)),
    NavGroup(
        "referrals",
        "Referrals",
        (
            NavLink("/referrals", "Referrals"),
            NavLink("/pipeline", "Pipeline"),
            NavLink("/approvals", "Partner updates"),
        ),
    ),
    NavGroup(
        "network",
        "Network",
        (
            NavLink("/partners", "Partners"),
            NavLink("/network", "Network map"),
            NavLink("/duplicates", "Possible duplicates"),
        ),
    ),
    NavGroup("money", "Money", (NavLink("/payouts", "Payouts"), NavLink("/tax", "Tax"))),
    NavGroup(
        "compliance",
        "Compliance",
        (
            NavLink("/compliance", "Compliance"),
            NavLink("/agreements", "Agreements"),
            NavLink("/audit", "Audit log", roles=("owner", "admin", "compliance")),
        ),
    ),
    NavGroup(
        "settings",
        "Settings",
        (NavLink("/settings", "Settings"), NavLink("/integrations", "Integrations")),
    ),
)
#: Pages under a section's address that belong elsewhere: logging a referral has its button.
NOT_IN_NAV = ("/referrals/new",)


def _is_under(path: str, href: str) -> bool:
    if href == "/":
        return path == "/"
    return path == href or path.startswith(href + "/")


def main_nav(me: SignedIn, path: str) -> list[NavGroup]:
    """The sections ``me`` may see, the link of the page at ``path`` marked current."""
    role = me.actor.role.value
    here = path not in NOT_IN_NAV
    return [
        replace(
            group,
            links=tuple(
                replace(link, current=here and _is_under(path, link.href))
                for link in group.links
                if not link.roles or role in link.roles
            ),
        )
        for group in SECTIONS
    ]
