"""Who receives an export, and the disclosure thresholds each one gets: the one place.

DESIGN.md "Partner exports": one partner per Community Safety Partnership (its locality
profile), the Home Office (Serious Violence Duty measures), the OPCC (RASSO performance,
custody and ICV, commissioned services) and the ICB (health injury data). Thresholds are
configuration, per partner, and every manifest states them as numbers; change them here
and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass

# Partner name -> the CSP's name exactly as `dim_geography.csp_name` (seed ref_beats) has it.
CSP_PARTNERS: dict[str, str] = {
    "csp-leicester": "Leicester Community Safety Partnership",
    "csp-charnwood": "Charnwood Community Safety Partnership",
    "csp-blaby-hinckley-bosworth": "Blaby, Hinckley and Bosworth Community Safety Partnership",
    "csp-harborough": "Harborough District Community Safety Partnership",
    "csp-melton": "Safer Melton Partnership",
    "csp-north-west-leicestershire": "Safer North West Leicestershire Partnership",
    "csp-oadby-wigston": "Oadby and Wigston Community Safety Partnership",
    "csp-rutland": "Safer Rutland Partnership",
}
PARTNERS: tuple[str, ...] = (*CSP_PARTNERS, "home_office", "opcc", "icb")

# A check guards partner *groups*; "csp" stands for all eight CSPs.
PARTNER_GROUPS: tuple[str, ...] = ("csp", "home_office", "opcc", "icb")


def partner_group(partner: str) -> str:
    if partner in CSP_PARTNERS:
        return "csp"
    if partner in PARTNERS:
        return partner
    raise ValueError(f"unknown partner {partner!r}; expected one of {', '.join(PARTNERS)}")


def partners_in(groups: tuple[str, ...] | frozenset[str]) -> tuple[str, ...]:
    """Every partner a set of groups names, in publishing order."""
    return tuple(p for p in PARTNERS if partner_group(p) in groups)


# Kinds of figure: a table holds one kind only (no table mixes health-derived counts with
# police or council counts).
POLICE_COUNCIL = "police_council"
HEALTH = "health"


@dataclass(frozen=True)
class DisclosureRule:
    """Counts from `suppress_from` to `suppress_to` are shown as `[c]`; with `round_to`,
    every other non-zero count is rounded to the nearest multiple of it. `secondary`
    adds cells until no suppressed cell can be recovered from a total in its table."""

    name: str
    suppress_from: int
    suppress_to: int
    round_to: int | None
    secondary: bool
    description: str

    def as_manifest(self, table: str) -> dict[str, object]:
        return {
            "table": table,
            "rule": self.name,
            "suppress_from": self.suppress_from,
            "suppress_to": self.suppress_to,
            "round_to": self.round_to,
        }


# ONS convention for police and council figures (and the commissioned services' own
# counts): 1–4 suppressed, with secondary suppression against differencing.
ONS_SMALL_COUNTS = DisclosureRule(
    name="ons_small_counts",
    suppress_from=1,
    suppress_to=4,
    round_to=None,
    secondary=True,
    description=(
        "Counts of 1 to 4 are shown as [c]; further cells are shown as [c] where a "
        "suppressed count could otherwise be worked out from a total in the same table. "
        "Rates and percentages over a suppressed count are [c]. Zero is shown as 0."
    ),
)
# NHS Digital's rule for HES/ECDS-derived figures: 1–7 suppressed, the rest rounded to 5.
NHS_DIGITAL = DisclosureRule(
    name="nhs_digital_small_numbers",
    suppress_from=1,
    suppress_to=7,
    round_to=5,
    secondary=True,
    description=(
        "Health-derived counts of 1 to 7 are shown as [c]; every other non-zero count is "
        "rounded to the nearest 5, so totals need not equal the sum of their rounded parts. "
        "Zero is shown as 0."
    ),
)

DISCLOSURE: dict[str, dict[str, DisclosureRule]] = {
    partner: {POLICE_COUNCIL: ONS_SMALL_COUNTS, HEALTH: NHS_DIGITAL} for partner in PARTNERS
}


def disclosure_rule(partner: str, kind: str) -> DisclosureRule:
    try:
        return DISCLOSURE[partner][kind]
    except KeyError as e:
        raise ValueError(f"no disclosure rule for partner {partner!r}, figures {kind!r}") from e


# The landing files (audit.files source, entity) each group's figures come from: the
# manifest lists the loaded versions of these as its `sources`.
SOURCE_ENTITIES: dict[str, tuple[tuple[str, str], ...]] = {
    "csp": (("police", "crimes"), ("police", "crime_people")),
    "home_office": (
        ("police", "crimes"), ("police", "crime_people"), ("health", "assault_admissions"),
    ),
    "opcc": (
        ("police", "crimes"), ("police", "crime_people"), ("police", "outcomes"),
        ("police", "custody"), ("opcc", "icv_visits"),
        ("commissioning", "sarc_return"), ("commissioning", "cyp_sarc_return"),
        ("commissioning", "isva_return"),
    ),
    "icb": (
        ("health", "ae_assaults"), ("health", "assault_admissions"),
        ("health", "ambulance_assaults"),
    ),
}
# Entities whose later files change earlier figures (a crime's current outcome is its
# latest assignment, whichever period's file carries it; a crime's people may arrive in a
# later file and join then): every loaded file counts.
SOURCES_FROM_ANY_PERIOD: frozenset[tuple[str, str]] = frozenset(
    {("police", "outcomes"), ("police", "crime_people")})
