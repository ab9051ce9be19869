"""Who is asking: the verified identity behind a request or job."""

from __future__ import annotations

from dataclasses import dataclass, field

ROLES = ("kcc-medewerker", "backoffice", "privacy-officer", "beheerder", "teamleider")


@dataclass(frozen=True)
class Caller:
    """The authenticated user of a request, derived from the token's claims."""

    subject: str
    display_name: str
    roles: frozenset[str]
    gemeenten: frozenset[str]
    client_id: str = "onbekend"
    # The caller's e-mail address from the token, when it carries one (see ClaimNames.email).
    email: str | None = None
    # Roles are checked in this order when one must be chosen (e.g. the masking policy).
    role_order: tuple[str, ...] = field(default=ROLES, compare=False)

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def primary_role(self) -> str:
        """The most privileged role for person data, used to pick one masking policy."""
        for role in ("backoffice", "kcc-medewerker", "privacy-officer", "beheerder", "teamleider"):
            if role in self.roles:
                return role
        return next(iter(sorted(self.roles)), "")


SYSTEM_CALLER = Caller(
    subject="kcc-hub",
    display_name="KCC Hub (achtergrondtaak)",
    roles=frozenset({"beheerder"}),
    gemeenten=frozenset(),
    client_id="kcc-hub",
)
