"""The disclosure thresholds each partner gets: the one place.

Who the partners are and which tables each receives is declared in dbt (the exposures,
read by `exports.catalog`). DESIGN.md "Partner exports": thresholds are configuration,
per partner, and every manifest states them as numbers; change them here and nowhere
else.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DisclosureRule:
    """Counts from `suppress_from` to `suppress_to` are shown as `[c]`; with `round_to`,
    every other non-zero count is rounded to the nearest multiple of it. `secondary`
    adds cells until no suppressed cell can be recovered from a total in its table, or
    from the other tables of its export (`exports.disclosure.protect_together`)."""

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
        "suppressed count could otherwise be worked out from a total in the same table, "
        "or from the figures the other tables of the same release show. "
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

# Figures already published by a public body (the Home Office's recorded crime by force):
# re-publishing them withholds nothing, so they are shown as published.
ALREADY_PUBLIC = DisclosureRule(
    name="already_public",
    suppress_from=1,
    suppress_to=0,
    round_to=None,
    secondary=False,
    description=(
        "Figures already published by the Home Office (police recorded crime by force, "
        "Open Government Licence v3.0), shown as published: nothing is withheld."
    ),
)

# Kinds of figure (a `pub_` model's `meta.publish.kind`): a table holds one kind only (no
# table mixes health-derived counts with police or council counts).
POLICE_COUNCIL = "police_council"
HEALTH = "health"
PUBLIC = "public"
DEFAULT_RULES: dict[str, DisclosureRule] = {
    POLICE_COUNCIL: ONS_SMALL_COUNTS, HEALTH: NHS_DIGITAL, PUBLIC: ALREADY_PUBLIC}
# Per-partner overrides, e.g. {"home_office": {HEALTH: <a stricter rule>}}. Every partner
# has the default rules today; its manifest states the thresholds it got as numbers.
PARTNER_RULES: dict[str, dict[str, DisclosureRule]] = {}


def disclosure_rule(partner: str, kind: str) -> DisclosureRule:
    rules = {**DEFAULT_RULES, **PARTNER_RULES.get(partner, {})}
    try:
        return rules[kind]
    except KeyError as e:
        raise ValueError(f"no disclosure rule for partner {partner!r}, figures {kind!r}") from e
