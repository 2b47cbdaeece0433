"""Plain-English words for what the published tables hold: headers, category codes,
periods and table titles, for the partner workbook and the profiles.

GSS "Releasing statistics in spreadsheets" asks for headers and labels a person reads
without a codebook. The CSVs keep the codes (DESIGN.md "Partner exports"); these words are
applied only where people read. Where a seed already names a code (ICD-10 titles, custody
suites, partner extracts, CSP names) the seed is used, so a name is written once; the rest
are the codes the `pub_` models publish (dbt_project/models/publish/*.yml). A value not
listed here is returned unchanged, so a new code shows as itself rather than disappearing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from vrn import periods
from vrn.reference import seed_rows

if TYPE_CHECKING:
    from exports.catalog import PublishedTable

# Headers of the columns the pub_ models publish.
COLUMN_LABELS: Mapping[str, str] = {
    "period": "Period",
    "period_start": "Period start",
    "period_end": "Period end",
    "fy_quarter": "Quarter",
    "month": "Month",
    "month_end": "12 months ending",
    "area_level": "Area level",
    "area_code": "Area code",
    "area_name": "Area",
    "la_code": "Upper-tier authority code",
    "csp_name": "Community Safety Partnership",
    "offence_group": "Offence group",
    "sv_group": "Serious violence group",
    "location_type": "Location type",
    "victim_age_band": "Victim age band",
    "age_band": "Age band",
    "age_group": "Age group",
    "sex": "Sex",
    "source": "Source",
    "means": "Means of injury",
    "measure": "Measure",
    "outcome_group": "Outcome",
    "suite_code": "Custody suite",
    "offences": "Offences",
    "serious_violence_offences": "Serious violence offences",
    "events": "Events",
    "population": "Population",
    "rate_per_1000": "Rate per 1,000 residents",
    "value": "Value",
    "baseline_value": "Baseline value",
    "change_on_baseline": "Change on baseline",
    "knife_or_sharp_object_offences": "Knife or sharp object offences",
    "domestic_abuse_offences": "Domestic abuse offences",
    "victim_under_25_offences": "Offences with a victim under 25",
    "rasso_offences": "Rape and serious sexual offences",
    "rapes": "Rapes",
    "rapes_charged": "Rapes charged or summonsed",
    "rapes_victim_not_supporting": "Rapes where the victim does not support action",
    "rapes_under_investigation": "Rapes under investigation",
    "charge_rate": "Charge rate",
    "rapes_12m": "Rapes in 12 months",
    "rapes_per_1000_12m": "Rapes per 1,000 residents in 12 months",
    "charged_12m": "Rapes charged or summonsed in 12 months",
    "charge_rate_12m": "Charge rate in 12 months",
    "outcomes_assigned_12m": "Outcomes assigned in 12 months",
    "median_days_to_outcome_12m": "Median days to outcome in 12 months",
    "victim_not_supporting_12m": "Victim does not support action in 12 months",
    "victim_not_supporting_rate_12m": "Victim does not support action rate in 12 months",
    "detentions": "Detentions",
    "juvenile_detentions": "Detentions of juveniles",
    "detentions_ended": "Detentions ended",
    "median_detention_hours": "Median detention length (hours)",
    "visits": "Visits",
    "immediate_access_visits": "Visits with immediate access",
    "detainees_in_cells": "Detainees in cells at visits",
    "offered": "Detainees offered a visit",
    "agreed": "Detainees who agreed to a visit",
    "refused": "Detainees who refused a visit",
    "offered_rate": "Share of detainees offered a visit",
    "agreed_rate": "Share of those offered who agreed",
    "referrals_received": "Referrals received",
    "referrals_declined": "Referrals declined",
    "referrals_from_out_of_area": "Referrals from out of area",
    "individuals_supported": "Individuals supported",
    "children_assessed_all_areas": "Children assessed (all areas)",
    "children_assessed_llr": "Children assessed (LLR)",
    "referred_for_rape": "Referred for rape",
    "referred_for_sexual_assault": "Referred for sexual assault",
    "female": "Female",
    "male": "Male",
    "referred_by_police": "Referred by police",
    "referred_by_social_care": "Referred by social care",
    "self_referral": "Self-referrals",
    "other_referral_source": "Other referral source",
    "looked_after_children": "Looked-after children",
    "self_harm_behaviours": "With self-harm behaviours",
    "learning_disability": "With a learning disability",
    "offered_onward_therapy": "Offered onward therapy",
    "declined_onward_therapy": "Declined onward therapy",
    "leicester": "Leicester",
    "leicestershire": "Leicestershire",
    "rutland": "Rutland",
    "out_of_area": "Out of area",
    "declined_further_engagement": "Declined further engagement",
    "supported_with_a_support_plan": "Supported with a support plan",
    "average_length_of_support_months": "Average length of support (months)",
    "longest_support_months": "Longest support (months)",
    "forensic_examinations": "Forensic examinations",
    "forensic_examinations_in_hospital": "Forensic examinations in hospital",
    "hiv_prep_started": "HIV PrEP started",
    "emergency_contraception_given": "Emergency contraception given",
    "hepatitis_b_vaccination_started": "Hepatitis B vaccination started",
    "referred_to_sexual_health_services": "Referred to sexual health services",
    "forensic_examination_within_60_minutes": "Forensic examinations within 60 minutes (%)",
    "complaints": "Complaints",
    "npa_name": "Neighbourhood",
    "weekday": "Day of the week",
    "hour": "Hour of the day",
    "offences_year_earlier": "Offences a year earlier",
    "change_on_year_earlier": "Change on a year earlier",
    "role": "Role",
    "persons": "People",
}

# Category codes, by the column that holds them. `all` is everywhere the total row.
_SV_GROUPS = {
    "aggravated_burglary": "Aggravated burglary",
    "arson_endangering_life": "Arson endangering life",
    "exploitation_of_prostitution": "Exploitation of prostitution",
    "homicide": "Homicide",
    "other_sexual_offences": "Other sexual offences",
    "public_disorder": "Public disorder",
    "rape": "Rape",
    "robbery": "Robbery",
    "stalking_harassment": "Stalking and harassment",
    "violence_with_injury": "Violence with injury",
    "violence_without_injury": "Violence without injury",
}
_AGE_BANDS = {"unknown": "Not known", "65+": "65 and over"}
KNIFE_ENABLED = "Knife-enabled offences (Home Office list)"
KNIFE_FLAGGED = "Offences flagged as involving a knife or sharp object"
VALUE_LABELS: Mapping[str, Mapping[str, str]] = {
    "sv_group": _SV_GROUPS,
    "location_type": {
        "dwelling": "Dwelling", "public_open_place": "Public open place",
        "hospitality": "Hospitality (pubs, bars, restaurants)", "shop": "Shop",
        "transport": "Transport", "education": "Education", "workplace": "Workplace",
        "other": "Other", "unknown": "Not known", "not_recorded": "Not recorded",
    },
    "measure": {
        # pub_sv_headlines' measures (the profiles' headline tiles say the same)
        "serious_violence": "Serious violence",
        "knife_enabled": KNIFE_ENABLED,
        "knife_sharp": KNIFE_FLAGGED,
        "young_people": "Serious violence involving young people (victim or suspect under 25)",
        "public_place": "Serious violence in a public place",
        "rasso": "Rape and serious sexual offences",
        "hate_crime": "Hate crime",
        "all_serious_violence": "All serious violence",
        "knife_or_sharp_object": "Knife or sharp object involved",
        "knife_enabled_ho": "Knife or sharp object enabled (Home Office offence list)",
        "knife_enabled_sv": "Knife or sharp object enabled serious violence",
        "knife_homicide": "Homicide by knife or sharp object",
        "homicide": "Homicide",
        "domestic_abuse": "Domestic abuse",
        "sexual_violence": "Sexual violence",
        "victim_under_25": "Victim under 25",
        "sharp_object_admissions": "Hospital admissions for assault by a sharp object",
        # pub_sna_force_comparison's Home Office offence measures
        "violence_with_injury": "Violence with injury",
        "rape": "Rape",
        "sexual_offences": "Sexual offences",
        "robbery": "Robbery",
        "all_crime": "All recorded crime",
    },
    "age_group": {"under_25": "Under 25"},
    "area_level": {"csp": "Community Safety Partnership", "district": "District"},
    "source": {"ae": "A&E attendances", "admission": "Emergency admissions",
               "ambulance": "Ambulance call-outs"},
    "outcome_group": {
        "charged": "Charged or summonsed", "victim_not_supporting":
        "Victim does not support action", "under_investigation": "Under investigation",
        "other_outcome": "Other outcome",
    },
    "sex": {"F": "Female", "M": "Male", "X": "Other", "U": "Not known", "other": "Other"},
    "role": {"victim": "Victim", "suspect": "Suspect", "offender": "Offender",
             "perpetrator": "Perpetrator"},
    "domain": {"serious_violence": "Serious violence", "domestic_abuse": "Domestic abuse",
               "rasso": "Rape and serious sexual offences"},
    "factor": {
        "looked_after": "Looked after by the council",
        "child_protection_plan": "On a child protection plan",
        "persistent_absence": "Persistently absent from school",
        "suspension": "Suspended from school",
        "permanent_exclusion": "Permanently excluded from school",
        "earlier_victimisation": "Victim of an earlier crime",
        "earlier_offending": "Suspect in an earlier crime",
        "earlier_custody": "Held in police custody before",
        "any": "At least one of these",
    },
    "subgroup": {"all": "All in the cohort",
                 "murder_attempted_murder": "Murder, attempted murder and grievous bodily "
                                            "harm"},
    "victim_age_band": _AGE_BANDS,
    "age_band": _AGE_BANDS,
    # ISO weekday numbers and clock hours, as the weekday x hour tables code them.
    "weekday": {**{str(i): day for i, day in enumerate(
        ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        start=1)}, "all": "All days", "unknown": "Time not recorded"},
    "hour": {**{str(h): f"{h:02d}:00 to {h:02d}:59" for h in range(24)},
             "all": "All hours", "unknown": "Time not recorded"},
    "means": {
        "blunt": "Blunt object", "bodily_force": "Bodily force", "firearm": "Firearm",
        "knife_sharp": "Knife or sharp object", "other": "Other", "unknown": "Not known",
        "assault_sexual_assault": "Assault or sexual assault",
        "stab_gunshot_penetrating": "Stab, gunshot or other penetrating injury",
    },
}
_EVERYWHERE = {"all": "All"}

# A role as the people in it ("Victims of serious violence").
ROLE_PLURALS: Mapping[str, str] = {"victim": "Victims", "suspect": "Suspects",
                                   "perpetrator": "Perpetrators", "offender": "Offenders"}

# The kinds of serious violence pub_sna_sv_by_month counts beside the total, in words
# (the two knife measures named for what each counts).
MONTH_SERIES: Mapping[str, str] = {
    "knife_sharp_offences": "Flagged as involving a knife or sharp object",
    "knife_or_sharp_object_offences": "Flagged as involving a knife or sharp object",
    "knife_enabled_offences": "Knife-enabled (Home Office list)",
    "domestic_abuse_offences": "Domestic abuse-related",
    "sexual_violence_offences": "Sexual violence",
    "young_people_offences": "Victim or suspect under 25",
    "victim_under_25_offences": "Victim under 25",
    "public_place_offences": "In a public place",
}
_AGE_RANGE = re.compile(r"^(\d+)-(\d+)$")

# Short titles of the published tables (the model YAML holds the long description).
TABLE_TITLES: Mapping[str, str] = {
    "sv_by_area": "Serious violence offences by area",
    "sv_by_location": "Serious violence offences by type of location",
    "sv_by_month": "Serious violence offences by month",
    "sv_by_offence_group": "Serious violence offences by serious violence group",
    "sv_by_victim_age_band": "Serious violence offences by victim age band",
    "sv_knife_and_domestic_abuse": "Serious violence involving knives, domestic abuse and "
                                   "young victims",
    "hate_crime": "Hate crime by offence group",
    "rasso_by_area": "Rape and serious sexual offences by area",
    "rasso_outcomes": "Rapes by outcome",
    "rasso_performance": "Rape performance over rolling 12 months",
    "custody_detentions": "Custody detentions by suite",
    "icv_visits": "Independent Custody Visitor visits by suite",
    "isva_returns": "Independent Sexual Violence Advocate service returns",
    "sarc_returns": "Sexual Assault Referral Centre returns",
    "cyp_sarc_returns": "Children and young people's Sexual Assault Referral Centre returns",
    "sv_duty_police_measures": "Serious Violence Duty measures from police data",
    "sv_duty_health_measures": "Serious Violence Duty measures from hospital data",
    "assault_injury_by_area": "Assault-related injuries by area",
    "assault_injury_by_age_band": "Assault-related injuries by age band",
    "assault_injury_by_sex": "Assault-related injuries by sex",
    "assault_injury_by_means": "Assault-related injuries by means of injury",
}

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


def humanise(code: str) -> str:
    """`rapes_per_1000_12m` -> "Rapes per 1000 12m": the last resort for a name."""
    words = str(code).replace("_", " ").replace("-", " ").split()
    text = " ".join(words)
    return text[:1].upper() + text[1:]


_DEV_REFERENCE = re.compile(
    r"\s*\((?:[^()]*?\b(?:seed|(?:int|mart|fct|dim|stg|pub|ref)_\w+)\b[^()]*)\)")
_CODE = re.compile(r"`([^`]+)`")


def plain_text(text: str) -> str:
    """A model's description as partners read it: the references for developers (which
    model or seed a figure comes from, in brackets) left out, and codes in backticks
    written as words (`public_open_place` -> public open place)."""
    text = _DEV_REFERENCE.sub("", text)

    def code(match: re.Match[str]) -> str:
        value = match.group(1)
        return (value.replace("_", " ")
                if re.fullmatch(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+", value) else value)

    return " ".join(_CODE.sub(code, text).split())


def column_label(table: PublishedTable | None, column: str) -> str:
    """A column's plain-English header: the `label` in its dbt meta when the catalog
    carries one, else the curated header, else the name made readable."""
    labels = getattr(table, "column_labels", None) or {}
    return labels.get(column) or COLUMN_LABELS.get(column) or humanise(column)


@cache
def _seed_names() -> dict[str, dict[str, str]]:
    """Names the seeds already give: ICD-10 means, custody suites, CSP partners."""
    means = {r["icd10_code"]: f"{r['icd10_code']} {r['title']}"
             for r in seed_rows("ref_icd10_assault")}
    suites = {r["suite_code"]: r["suite_name"] for r in seed_rows("ref_custody_suites")}
    return {"means": means, "suite_code": suites}


def value_label(column: str, value: Any) -> str:
    """A category code in words (`public_open_place` -> "Public open place"); a period
    code in words for `period`-like columns; any other value unchanged."""
    if not isinstance(value, str):
        return value
    if column == "fy_quarter":
        try:
            q = periods.fy_quarter(value)
        except ValueError:
            return value
        return period_label(value, q.start, q.end)
    seed = _seed_names().get(column, {})
    words = (VALUE_LABELS.get(column, {}).get(value) or seed.get(value)
             or (seed.get(value[:3], "").replace(value[:3], value, 1) if column == "means"
                 else None))
    if words:
        return words
    if column in ("age_band", "victim_age_band") and (m := _AGE_RANGE.match(value)):
        return f"{m.group(1)} to {m.group(2)}"
    return _EVERYWHERE.get(value, value)


def _as_date(d: date | datetime | str) -> date:
    if isinstance(d, datetime):
        return d.date()
    if isinstance(d, date):
        return d
    return date.fromisoformat(str(d)[:10])


def month_label(d: date | datetime | str) -> str:
    """`2023-10-01` -> "October 2023"."""
    d = _as_date(d)
    return f"{_MONTHS[d.month - 1]} {d.year}"


def period_label(period: str, start: date | datetime | str, end: date | datetime | str) -> str:
    """A period of a pub_ table in words, from its first and last day: "April to June
    2023" (a quarter), "April 2023 to March 2024" (a financial year), "12 months to
    September 2024" (the rolling windows, `12m_to_…`), "October 2023" (a month)."""
    first, last = _as_date(start), _as_date(end)
    if str(period).startswith("12m"):
        return f"12 months to {month_label(last)}"
    if (first.year, first.month) == (last.year, last.month):
        return month_label(first)
    if first.year == last.year:
        return f"{_MONTHS[first.month - 1]} to {month_label(last)}"
    return f"{month_label(first)} to {month_label(last)}"


def table_title(table: PublishedTable | str) -> str:
    name = table if isinstance(table, str) else table.name
    return TABLE_TITLES.get(name) or humanise(name)


@cache
def _extracts() -> dict[str, str]:
    return {f"{r['source']}/{r['entity']}": r["description"]
            for r in seed_rows("ref_partner_extracts")}


_SOURCES = {"police": "Leicestershire Police", "opcc": "Office of the Police and Crime "
            "Commissioner", "health": "NHS", "commissioning": "Commissioned services",
            "policeuk": "police.uk"}


def source_label(read: str) -> str:
    """`police/crimes` -> "Leicestershire Police: recorded crimes by recorded date"
    (ref_partner_extracts names each partner extract)."""
    source, _, entity = read.rpartition("/")
    what = _extracts().get(read) or humanise(entity)
    if source.startswith("la/"):  # the seed names the council
        return what
    return f"{_SOURCES.get(source, humanise(source))}: {what[:1].lower()}{what[1:]}"
