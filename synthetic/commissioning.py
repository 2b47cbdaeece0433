"""Commissioned services: the quarterly provider returns (SARC, CYP SARC, ISVA) and the
OPCC's funding by provider and service (spec `returns.md`; `partner-extracts.md`,
"commissioning").

The returns for 2024-25Q2 carry exactly the figures of the rape performance report to the
Panel (000, Dec 2024); other quarters vary around them and pass every check of
`returns.md`. Returns describe a service's quarter, not a population, so they keep their
natural size whatever `--scale` says. Funding for 2023-24 is the table in the Op Soteria
report (003, para 19); other years vary around it.

Returns are forms typed by people: labels drift in case, spacing and a trailing colon (the
variations `returns.md` allows), some numbers are stored as text, and a provider may add a
line the warehouse ignores.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from ingest import specs
from synthetic.common import CsvOut, FileStyle, GenContext, defect_count, interleave, write_xlsx
from vrn import periods
from vrn.periods import Period

# The commissioning team saves funding from Excel as "CSV UTF-8": BOM and CRLF.
FUNDING_STYLE = FileStyle(encoding="utf-8-sig", newline="\r\n", date_style="iso")

EXACT_QUARTER = "2024-25Q2"
Values = dict[str, int | float]

# 000: the returns for July–September 2024.
SARC_2024Q2: Values = {
    "Referrals received": 74, "Referrals declined": 5, "Referrals from out of area": 5,
    "Individuals supported": 70, "Female": 64, "Male": 6, "Referred by police": 50,
    "Self referral": 4, "Other referral source": 16, "Forensic examinations": 42,
    "Forensic examinations in hospital": 1, "HIV PrEP started": 6,
    "Emergency contraception given": 20, "Hepatitis B vaccination started": 19,
    "Referred to sexual health services": 27,
    "Forensic examination within 60 minutes (%)": 100, "Complaints": 0,
}
CYP_SARC_2024Q2: Values = {
    # 20 LLR children were 22% of all assessed: 91 across the region.
    "Children assessed (all areas)": 91, "Children assessed (LLR)": 20,
    "Referred for rape": 15, "Referred for sexual assault": 5, "Female": 20, "Male": 0,
    "Referred by police": 18, "Referred by social care": 2, "Other referral source": 0,
    "Looked after children": 3, "Self-harm behaviours": 8, "Learning disability": 4,
    "Offered onward therapy": 18, "Declined onward therapy": 4,
}
ISVA_2024Q2: Values = {
    "Referrals received": 238, "Leicester": 105, "Leicestershire": 126, "Rutland": 5,
    "Out of area": 2, "Declined further engagement": 23, "Supported with a support plan": 212,
    "Average length of support (months)": 12.5,
    "Longest support (months)": 88.8,  # the published "7.4 years"
}

# Each form's sections: a heading (no value) and its labels, blank rows between.
LAYOUT: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "sarc": (
        ("Referrals", ("Referrals received", "Referrals declined",
                       "Referrals from out of area")),
        ("People supported", ("Individuals supported", "Female", "Male")),
        ("Referral source", ("Referred by police", "Self referral", "Other referral source")),
        ("Forensic medical examinations", (
            "Forensic examinations", "Forensic examinations in hospital",
            "Forensic examination within 60 minutes (%)")),
        ("Medication and onward referral", (
            "HIV PrEP started", "Emergency contraception given",
            "Hepatitis B vaccination started", "Referred to sexual health services")),
        ("Quality", ("Complaints",)),
    ),
    "cyp_sarc": (
        ("Children assessed", ("Children assessed (all areas)", "Children assessed (LLR)")),
        ("Reason for referral (LLR)", ("Referred for rape", "Referred for sexual assault")),
        ("Sex (LLR)", ("Female", "Male")),
        ("Referral source (LLR)", (
            "Referred by police", "Referred by social care", "Other referral source")),
        ("Vulnerabilities (LLR)", (
            "Looked after children", "Self-harm behaviours", "Learning disability")),
        ("Onward therapy", ("Offered onward therapy", "Declined onward therapy")),
    ),
    "isva": (
        ("Referrals", ("Referrals received",)),
        ("Referrals by home area", ("Leicester", "Leicestershire", "Rutland", "Out of area")),
        ("Engagement", ("Declined further engagement", "Supported with a support plan")),
        ("Length of support", (
            "Average length of support (months)", "Longest support (months)")),
    ),
}
TITLES = {
    "sarc": "Juniper Lodge SARC – quarterly return {period}",
    "cyp_sarc": "East Midlands Children and Young People’s SARC – quarterly return {period}",
    "isva": "Living Without Abuse – The Amber Service (ISVA) quarterly return {period}",
}


def sarc_values(rng: np.random.Generator) -> Values:
    """A quarter around 2024-25Q2 that passes the SARC checks (splits sum to supported)."""
    b = SARC_2024Q2
    referrals = max(20, round(b["Referrals received"] * rng.normal(1.0, 0.12)))
    declined = int(rng.binomial(referrals, 0.07))
    supported = max(0, referrals - declined + int(rng.integers(-2, 3)))
    female = int(rng.binomial(supported, 0.91))
    police = int(rng.binomial(supported, 0.70))
    self_referral = int(rng.binomial(supported - police, 0.2))
    forensic = int(rng.binomial(supported, 0.6))
    late = int(rng.binomial(forensic, 0.02))
    return {
        "Referrals received": referrals, "Referrals declined": declined,
        "Referrals from out of area": int(rng.binomial(referrals, 0.07)),
        "Individuals supported": supported, "Female": female, "Male": supported - female,
        "Referred by police": police, "Self referral": self_referral,
        "Other referral source": supported - police - self_referral,
        "Forensic examinations": forensic,
        "Forensic examinations in hospital": int(rng.binomial(forensic, 0.03)),
        "HIV PrEP started": int(rng.binomial(supported, 0.08)),
        "Emergency contraception given": int(rng.binomial(female, 0.3)),
        "Hepatitis B vaccination started": int(rng.binomial(supported, 0.27)),
        "Referred to sexual health services": int(rng.binomial(supported, 0.38)),
        "Forensic examination within 60 minutes (%)":
            round(100 * (forensic - late) / forensic, 1) if forensic else 100,
        "Complaints": int(rng.binomial(2, 0.15)),
    }


def cyp_sarc_values(rng: np.random.Generator) -> Values:
    all_areas = max(40, round(91 * rng.normal(1.0, 0.12)))
    llr = int(rng.binomial(all_areas, 0.22))
    rape = int(rng.binomial(llr, 0.7))
    female = int(rng.binomial(llr, 0.9))
    police = int(rng.binomial(llr, 0.85))
    social = int(rng.binomial(llr - police, 0.8))
    offered = int(rng.binomial(llr, 0.9))
    return {
        "Children assessed (all areas)": all_areas, "Children assessed (LLR)": llr,
        "Referred for rape": rape, "Referred for sexual assault": llr - rape,
        "Female": female, "Male": llr - female, "Referred by police": police,
        "Referred by social care": social, "Other referral source": llr - police - social,
        "Looked after children": int(rng.binomial(llr, 0.15)),
        "Self-harm behaviours": int(rng.binomial(llr, 0.35)),
        "Learning disability": int(rng.binomial(llr, 0.2)),
        "Offered onward therapy": offered,
        "Declined onward therapy": int(rng.binomial(offered, 0.22)),
    }


def isva_values(rng: np.random.Generator) -> Values:
    b = ISVA_2024Q2
    referrals = max(80, round(b["Referrals received"] * rng.normal(1.0, 0.1)))
    areas = rng.multinomial(referrals, np.array([105, 126, 5, 2]) / 238).tolist()
    declined = int(rng.binomial(referrals, 0.1))
    average = round(float(rng.normal(12.5, 0.8)), 1)
    return {
        "Referrals received": referrals,
        **dict(zip(("Leicester", "Leicestershire", "Rutland", "Out of area"), areas,
                   strict=True)),
        "Declined further engagement": declined,
        "Supported with a support plan": max(0, referrals - declined - int(rng.integers(0, 6))),
        "Average length of support (months)": average,
        "Longest support (months)": round(max(average + 24, float(rng.normal(86, 4))), 1),
    }


VALUE_MAKERS = {"sarc": sarc_values, "cyp_sarc": cyp_sarc_values, "isva": isva_values}
EXACT = {"sarc": SARC_2024Q2, "cyp_sarc": CYP_SARC_2024Q2, "isva": ISVA_2024Q2}


def return_values(ctx: GenContext, service: str, period: str) -> Values:
    if period == EXACT_QUARTER:
        return dict(EXACT[service])
    return VALUE_MAKERS[service](ctx.rng("commissioning", service, period))


def _label_as_typed(label: str, rng: np.random.Generator) -> str:
    """How a person types a label (case, surrounding spaces, a trailing colon)."""
    r = rng.random()
    if r < 0.55:
        return label
    return (label.lower() if r < 0.65 else label.upper() if r < 0.72
            else f" {label}  " if r < 0.82 else f"{label}:" if r < 0.94
            else f"  {label.lower()}: ")


def _value_as_typed(value: int | float, rng: np.random.Generator) -> int | float | str:
    """Some cells hold numbers stored as text (fine by returns.md)."""
    return str(value) if rng.random() < 0.2 else value


def form_rows(service: str, period: Period, values: Values, rng: np.random.Generator
              ) -> Iterator[list[Any]]:
    yield [TITLES[service].format(period=period.label)]
    yield []
    # A line the warehouse ignores ("other labels are ignored").
    yield ["Period covered", f"{period.start:%d %B %Y} to {period.end:%d %B %Y}"]
    for heading, labels in LAYOUT[service]:
        yield []
        yield [_label_as_typed(heading, rng)]
        for label in labels:
            yield [_label_as_typed(label, rng), _value_as_typed(values[label], rng)]


def _break_return(service: str, values: Values, rng: np.random.Generator
                  ) -> tuple[Values, str]:
    """A return that fails one of the checks in returns.md, as a provider's slip would."""
    bad = dict(values)
    if service == "isva":
        if rng.random() < 0.5:
            bad["Leicestershire"] = int(bad["Leicestershire"]) + 3
            return bad, ("area split (Leicester + Leicestershire + Rutland + Out of area) "
                         "does not sum to Referrals received")
        bad["Supported with a support plan"] = (
            int(bad["Referrals received"]) - int(bad["Declined further engagement"]) + 4)
        return bad, "Supported with a support plan exceeds referrals received minus declined"
    bad["Female"] = int(bad["Female"]) + 2
    total = "Individuals supported" if service == "sarc" else "Children assessed (LLR)"
    return bad, f"sex split (Female + Male) does not sum to {total}"


def write_returns(ctx: GenContext) -> None:
    quarters = periods.quarters_between(ctx.start, ctx.end)
    broken = _failed_return(ctx, quarters)
    for q in quarters:
        for service in LAYOUT:
            rel = f"commissioning/{service}_return_{q.label}.xlsx"
            values = return_values(ctx, service, q.label)
            if broken == (service, q.label):
                rng = ctx.rng("commissioning", "failed_return", rel)
                bad, detail = _break_return(service, values, rng)
                # The same typing (same stream) in both, so only the slip differs.
                for path, vals in ((ctx.landing_path(rel), bad), (ctx.resend_path(rel), values)):
                    form_rng = ctx.rng("commissioning", "form", rel)
                    write_xlsx(path, "Return", form_rows(service, q, vals, form_rng))
                ctx.log.file(rel, "failed_return", detail)
                ctx.log.resend(rel, f"corrected return (was: {detail})")
            else:
                write_xlsx(ctx.landing_path(rel), "Return",
                           form_rows(service, q, values, ctx.rng("commissioning", "form", rel)))
            ctx.tick(f"wrote {rel}")


def _failed_return(ctx: GenContext, quarters: list[Period]) -> tuple[str, str] | None:
    """One return per drop fails a check (only when defects are on), never 2024-25Q2's
    unless the drop holds nothing else."""
    if ctx.defect_rate <= 0 or not quarters:
        return None
    rng = ctx.rng("commissioning", "failed_return")
    pool = [q for q in quarters if q.label != EXACT_QUARTER] or quarters
    q = pool[int(rng.integers(len(pool)))]
    service = list(LAYOUT)[int(rng.integers(len(LAYOUT)))]
    return service, q.label


# ---------------------------------------------------------------------------------------
# Funding.

# 003, Op Soteria report para 19: "Total funding from OPCC to 31st March 2024".
# (provider, service, service_category, amount_gbp)
FUNDING_2023: tuple[tuple[str, str, str, float], ...] = (
    ("Juniper Lodge (Sexual Assault Referral Centre)", "Sexual assault referral centre",
     "sexual_violence", 67906.00),
    ("New Dawn New Day", "Women’s complex needs support", "victim_services", 32050.00),
    ("Freeva", "HES – Helpline & Engagement Service", "domestic_abuse", 434708.00),
    ("Freeva", "DASV – domestic abuse and sexual violence support", "domestic_abuse",
     176539.00),
    ("Leicester Rape Crisis", "Rape crisis support", "sexual_violence", 43500.00),
    ("Quetzal", "Counselling for survivors of childhood sexual abuse", "sexual_violence",
     7625.00),
    ("Victim First", "Victim First – victims’ hub", "victim_services", 508845.00),
    ("Women's Aid Leicestershire", "Refuge and Empowerment Programme", "domestic_abuse",
     64294.00),
    ("Living Without Abuse", "The Amber Service – ISVA and sexual violence support",
     "sexual_violence", 132981.00),
    ("Hampton Trust - Cara", "CARA – Conditional Cautioning and Relational Abuse",
     "prevention", 44000.00),
)
CARA_FIRST_YEAR = 2022  # a trial of a new initiative (para 18)
# Para 28: a 12-month pilot of 24-hour access to SARC crisis workers.
PILOT_2024 = ("Juniper Lodge (Sexual Assault Referral Centre)",
              "Crisis worker pilot – 24-hour access", "sexual_violence", 38500.00)


def funding_rows(ctx: GenContext, fy: Period) -> list[tuple[str, str, str, float]]:
    year = fy.start.year
    if year == 2023:
        return list(FUNDING_2023)
    rng = ctx.rng("commissioning", "funding", fy.label)
    trend = 1.03 ** (year - 2023)  # settlements rising about 3% a year
    rows = []
    for provider, service, category, amount in FUNDING_2023:
        if provider.startswith("Hampton Trust") and year < CARA_FIRST_YEAR:
            continue
        varied = amount * trend * float(rng.lognormal(0.0, 0.05))
        rows.append((provider, service, category, float(round(varied))))
    if year >= 2024:
        rows.append(PILOT_2024)
    return rows


FUNDING_DEFECTS = ("missing_value", "unknown_code", "out_of_period", "bad_number",
                   "duplicate_key")


def write_funding(ctx: GenContext) -> None:
    entity = specs.FUNDING
    for fy in periods.financial_years_between(ctx.start, ctx.end):
        rel = f"commissioning/{entity.entity}_{fy.label}.csv"
        rows = [[p, s, c, fy.label, f"{a:.2f}"] for p, s, c, a in funding_rows(ctx, fy)]
        rng = ctx.rng("commissioning", "funding", fy.label, "defects")
        extras: list[list[str]] = []
        for k in range(defect_count(len(rows), ctx.defect_rate, rng)):
            kind = FUNDING_DEFECTS[int(rng.integers(len(FUNDING_DEFECTS)))]
            # A line for a grant no good row has, so its key clashes with nothing.
            row = ["Leicestershire Cares", f"Small grant {fy.label}/{k + 1}", "prevention",
                   fy.label,
                   f"{int(rng.integers(2, 20)) * 500:.2f}"]
            if kind == "duplicate_key":  # the same line pasted twice
                extras += [row, list(row)]
                ctx.log.row(rel, kind, 2)
                continue
            if kind == "missing_value":
                row[2 + 2 * int(rng.integers(2))] = ""  # service_category or amount_gbp
            elif kind == "unknown_code":
                row[2] = "sexual violence" if rng.random() < 0.5 else "Prevention & early help"
            elif kind == "out_of_period":
                y = fy.start.year - 1
                row[3] = f"{y}-{(y + 1) % 100:02d}"
            elif kind == "bad_number":
                row[4] = f"£{int(float(row[4])):,}" if rng.random() < 0.6 else "TBC"
            extras.append(row)
            ctx.log.row(rel, kind, 1)
        with CsvOut(ctx.landing_path(rel), entity.header, FUNDING_STYLE) as out:
            out.write_many(interleave(rows, extras, rng))
        ctx.tick(f"wrote {rel}")


def write(ctx: GenContext) -> None:
    write_returns(ctx)
    write_funding(ctx)
