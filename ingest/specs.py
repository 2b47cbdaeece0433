"""The partner extract specification as data: one entry per file kind, one row per column.

This is the contract of `spec/partner-extracts.md` written once, so the validator, the
raw-table DDL, the generator's headers and the tests all read the same table. A rule is
changed here, never in the code that applies it.

Column kinds
    text      free text (required unless optional)
    code      a value from `values` (a tuple) or from a reference list (`ref`)
    codes     `;`-separated values from `values` (ICV issues)
    pattern   text that must match `pattern` (ONS codes, ICD-10 forms, outward codes)
    date      `YYYY-MM-DD` or `DD/MM/YYYY`, one style per file
    datetime  `YYYY-MM-DD HH:MM[:SS]` or `DD/MM/YYYY HH:MM[:SS]`
    int       a whole number in [min, max]
    number    a number (money, percentages)
    flag      `Y` / `N` (blank = unknown, counts as not flagged)
    token     a keyed-hash token (64 lower-case hex); always optional
"""

from __future__ import annotations

from dataclasses import dataclass

SEX = ("M", "F", "X", "U")
ETHNICITY = (
    "W1", "W2", "W3", "W4", "M1", "M2", "M3", "M4", "A1", "A2", "A3", "A4", "A5",
    "B1", "B2", "B3", "O1", "O2", "NS",
)
LOCATION_TYPES = (
    "dwelling", "public_open_place", "hospitality", "education", "shop", "transport",
    "workplace", "other",
)
SUITES = ("EUS", "KEY", "BEA")
DISPOSALS = (
    "charged", "bailed", "released_under_investigation", "no_further_action", "caution",
    "community_resolution", "transferred", "other",
)
ICV_ISSUES = (
    "food_drink", "cell_condition", "hygiene", "medical", "rights_entitlements",
    "clothing_bedding", "other",
)
AE_METHODS = ("bodily_force", "knife_sharp", "blunt", "firearm", "other", "unknown")
AE_LOCATIONS = ("home", "street", "licensed_premises", "school", "workplace", "other", "unknown")
AMBULANCE_CATEGORIES = ("assault_sexual_assault", "stab_gunshot_penetrating")
CATEGORY_OF_NEED = tuple(f"N{i}" for i in range(1, 9))
LEGAL_STATUS = ("C1", "C2", "E1", "J1", "J2", "J3", "L1", "L2", "L3", "V2", "V3", "V4")
CP_CATEGORIES = ("NEG", "PHY", "EMO", "SAB", "MUL")
EXCLUSION_TYPES = ("suspension", "permanent")
SERVICE_CATEGORIES = ("sexual_violence", "domestic_abuse", "victim_services", "prevention")
ROLES = ("victim", "suspect")
CRIME_STATUS = ("recorded", "cancelled")

# Raw identifiers: a column with one of these names (ignoring case and surrounding
# spaces) rejects the whole file (spec, General rules: "No names, addresses or dates of
# birth are ever sent").
RAW_IDENTIFIER_COLUMNS = frozenset(
    {"surname", "forename", "first_name", "last_name", "name", "full_name", "dob",
     "date_of_birth", "address", "nhs_number", "postcode", "upn"}
)

PATTERNS = {
    # ONS code of a district or unitary authority.
    "lad_code": r"^E0\d{7}$",
    "lsoa21_code": r"^E01\d{6}$",
    # UK outward code: area letters, district digit, optional letter or digit.
    "postcode_district": r"^[A-Z]{1,2}\d[A-Z\d]?$",
    # ICD-10 form: letter, two digits, optional `.` and digit.
    "primary_diagnosis": r"^[A-Z]\d{2}(\.\d)?$",
    # ICD-10 assault X85–Y09, written X99, X99.1 or X991.
    "external_cause": r"^(X8[5-9]|X9\d|Y0\d)(\.?\d)?$",
}


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    optional: bool = False
    values: tuple[str, ...] | None = None
    ref: str | None = None  # reference list: "offence_codes" | "outcome_codes" | "beat_codes"
    pattern: str | None = None
    min: int | None = None
    max: int | None = None
    sql_type: str = "VARCHAR"


def text(name: str, optional: bool = False) -> Column:
    return Column(name, "text", optional)


def code(name: str, values: tuple[str, ...] | None = None, *, ref: str | None = None,
         optional: bool = False) -> Column:
    return Column(name, "code", optional, values=values, ref=ref)


def pattern(name: str, optional: bool = False) -> Column:
    return Column(name, "pattern", optional, pattern=PATTERNS[name])


def date_(name: str, optional: bool = False) -> Column:
    return Column(name, "date", optional, sql_type="DATE")


def datetime_(name: str, optional: bool = False) -> Column:
    return Column(name, "datetime", optional, sql_type="TIMESTAMP")


def age(name: str = "age", optional: bool = False) -> Column:
    return Column(name, "int", optional, min=0, max=120, sql_type="INTEGER")


def count(name: str, optional: bool = False) -> Column:
    return Column(name, "int", optional, min=0, sql_type="INTEGER")


def number(name: str, optional: bool = False) -> Column:
    return Column(name, "number", optional, sql_type="DOUBLE")


def flag(name: str) -> Column:
    return Column(name, "flag", True, values=("Y", "N"))


def tokens() -> list[Column]:
    return [Column(n, "token", True) for n in ("tok_surname", "tok_forename", "tok_dob")]


@dataclass(frozen=True)
class DatePair:
    """`end` must not be before `start` (impossible_date)."""

    start: str
    end: str


@dataclass(frozen=True)
class Entity:
    """One kind of partner file."""

    source: str  # landing folder kind: police, opcc, health, la, commissioning, policeuk
    entity: str  # file-name stem, e.g. "crimes"
    columns: tuple[Column, ...]
    period_kind: str  # fy_quarter | academic_year | financial_year | month
    key: tuple[str, ...] = ()
    placing_date: str | None = None  # the date that places a row in the file's period
    # start or event dates (other than the placing date) that may not lie after the
    # period's end; end dates (released_at, discharged_at, …) may run past it.
    not_after_period_end: tuple[str, ...] = ()
    date_pairs: tuple[DatePair, ...] = ()
    not_after: tuple[DatePair, ...] = ()  # DatePair(a, b): a must not be a later *day* than b
    extensions: tuple[str, ...] = ("csv",)
    has_sum_check: bool = False
    waits_for_crime: bool = False  # orphan rows wait for their crime (people, outcomes)

    @property
    def header(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def raw_table(self) -> str:
        return f"raw.{self.source}__{self.entity}"


CRIMES = Entity(
    "police", "crimes",
    (
        text("crime_ref"), date_("recorded_date"), datetime_("offence_from"),
        datetime_("offence_to", optional=True), code("ho_offence_code", ref="offence_codes"),
        code("beat_code", ref="beat_codes"),
        code("location_type", LOCATION_TYPES, optional=True),
        flag("flag_domestic_abuse"), flag("flag_knife_sharp"), flag("flag_firearm"),
        flag("flag_alcohol"), flag("flag_hate"), code("status", CRIME_STATUS),
    ),
    "fy_quarter", key=("crime_ref",), placing_date="recorded_date",
    not_after_period_end=("offence_from",),
    date_pairs=(DatePair("offence_from", "offence_to"),),
    not_after=(DatePair("offence_from", "recorded_date"),),
)

CRIME_PEOPLE = Entity(
    "police", "crime_people",
    (
        text("crime_ref"), text("person_ref"), code("role", ROLES), age(optional=True),
        code("sex", SEX, optional=True), code("ethnicity", ETHNICITY, optional=True),
        pattern("postcode_district", optional=True), *tokens(),
    ),
    "fy_quarter", key=("crime_ref", "person_ref", "role"), waits_for_crime=True,
)

OUTCOMES = Entity(
    "police", "outcomes",
    (text("crime_ref"), code("outcome_code", ref="outcome_codes"), date_("outcome_date")),
    # outcome_date may fall in an earlier period but not a later one (out_of_period).
    "fy_quarter", placing_date="outcome_date", waits_for_crime=True,
)

CUSTODY = Entity(
    "police", "custody",
    (
        text("custody_ref"), code("suite_code", SUITES), datetime_("arrived_at"),
        datetime_("authorised_at"), datetime_("released_at", optional=True),
        text("person_ref"), age(), code("sex", SEX), code("ethnicity", ETHNICITY, optional=True),
        code("arrest_ho_offence_code", ref="offence_codes"), code("disposal", DISPOSALS),
        flag("appropriate_adult"), flag("mental_health_s136"), flag("interpreter"),
        flag("strip_search"), *tokens(),
    ),
    "fy_quarter", key=("custody_ref",), placing_date="arrived_at",
    date_pairs=(DatePair("arrived_at", "released_at"), DatePair("arrived_at", "authorised_at")),
)

ICV_VISITS = Entity(
    "opcc", "icv_visits",
    (
        text("visit_ref"), code("suite_code", SUITES), datetime_("arrived_at"),
        datetime_("admitted_at"), count("detainees_in_cells"), count("offered"),
        count("not_offered_on_advice"), count("unavailable"), count("asleep_observed"),
        count("agreed"), count("refused"),
        Column("issues", "codes", True, values=ICV_ISSUES),
    ),
    "fy_quarter", key=("visit_ref",), placing_date="arrived_at",
    date_pairs=(DatePair("arrived_at", "admitted_at"),), has_sum_check=True,
)

AE_ASSAULTS = Entity(
    "health", "ae_assaults",
    (
        text("attendance_ref"), text("site_code"), datetime_("arrived_at"),
        datetime_("assault_at", optional=True), age(), code("sex", SEX),
        code("ethnicity", ETHNICITY, optional=True), pattern("lad_code"),
        pattern("lsoa21_code", optional=True), code("assault_method", AE_METHODS),
        code("assault_location_type", AE_LOCATIONS),
    ),
    "fy_quarter", key=("attendance_ref",), placing_date="arrived_at",
    not_after_period_end=("assault_at",),
)

ASSAULT_ADMISSIONS = Entity(
    "health", "assault_admissions",
    (
        text("spell_ref"), datetime_("admitted_at"), datetime_("discharged_at", optional=True),
        age(), code("sex", SEX), code("ethnicity", ETHNICITY, optional=True),
        pattern("lad_code"), pattern("lsoa21_code", optional=True),
        pattern("primary_diagnosis"), pattern("external_cause"), number("cost_gbp", optional=True),
    ),
    "fy_quarter", key=("spell_ref",), placing_date="admitted_at",
    date_pairs=(DatePair("admitted_at", "discharged_at"),),
)

AMBULANCE_ASSAULTS = Entity(
    "health", "ambulance_assaults",
    (
        text("incident_ref"), datetime_("call_at"), pattern("lad_code"),
        pattern("lsoa21_code", optional=True), code("category", AMBULANCE_CATEGORIES),
        # `conveyed` is a flag and so optional (blank = unknown) under the general rules.
        flag("conveyed"), age(), code("sex", SEX),
    ),
    "fy_quarter", key=("incident_ref",), placing_date="call_at",
)

_COUNCIL_EXT = ("csv", "xlsx")  # Leicestershire sends .xlsx, the others .csv

CHILDREN_LOOKED_AFTER = Entity(
    "la", "children_looked_after",
    (
        text("child_ref"), *tokens(), code("sex", SEX), date_("episode_start"),
        date_("episode_end", optional=True), code("category_of_need", CATEGORY_OF_NEED),
        code("legal_status", LEGAL_STATUS, optional=True),
    ),
    "fy_quarter", key=("child_ref", "episode_start"), placing_date="episode_start",
    date_pairs=(DatePair("episode_start", "episode_end"),), extensions=_COUNCIL_EXT,
)

CHILD_PROTECTION_PLANS = Entity(
    "la", "child_protection_plans",
    (
        text("child_ref"), *tokens(), date_("plan_start"), date_("plan_end", optional=True),
        code("category", CP_CATEGORIES),
    ),
    "fy_quarter", key=("child_ref", "plan_start"), placing_date="plan_start",
    date_pairs=(DatePair("plan_start", "plan_end"),), extensions=_COUNCIL_EXT,
)

SCHOOL_ABSENCE = Entity(
    "la", "school_absence",
    (
        text("child_ref"), *tokens(), text("academic_year"), count("sessions_possible"),
        count("sessions_missed"),
    ),
    "academic_year", key=("child_ref", "academic_year"), placing_date="academic_year",
    extensions=_COUNCIL_EXT,
)

EXCLUSIONS = Entity(
    "la", "exclusions",
    (
        text("child_ref"), *tokens(), date_("start_date"), code("type", EXCLUSION_TYPES),
        count("sessions"),
    ),
    "academic_year", key=("child_ref", "start_date"), placing_date="start_date",
    extensions=_COUNCIL_EXT,
)

FUNDING = Entity(
    "commissioning", "funding",
    (
        text("provider"), text("service"), code("service_category", SERVICE_CATEGORIES),
        text("financial_year"), number("amount_gbp"),
    ),
    "financial_year", key=("provider", "service", "financial_year"),
    placing_date="financial_year",
)

POLICEUK_HEADER = (
    "Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
    "LSOA code", "LSOA name", "Crime type", "Last outcome category", "Context",
)

ENTITIES: tuple[Entity, ...] = (
    CRIMES, CRIME_PEOPLE, OUTCOMES, CUSTODY, ICV_VISITS, AE_ASSAULTS, ASSAULT_ADMISSIONS,
    AMBULANCE_ASSAULTS, CHILDREN_LOOKED_AFTER, CHILD_PROTECTION_PLANS, SCHOOL_ABSENCE,
    EXCLUSIONS, FUNDING,
)
BY_NAME: dict[str, Entity] = {e.entity: e for e in ENTITIES}

# Commissioning returns are forms (label / value), not tables: see returns.md and
# `ingest/commissioning.py`. Label lists live here with the rest of the contract.
RETURN_LABELS: dict[str, tuple[str, ...]] = {
    "sarc": (
        "Referrals received", "Referrals declined", "Referrals from out of area",
        "Individuals supported", "Female", "Male", "Referred by police", "Self referral",
        "Other referral source", "Forensic examinations", "Forensic examinations in hospital",
        "HIV PrEP started", "Emergency contraception given", "Hepatitis B vaccination started",
        "Referred to sexual health services", "Forensic examination within 60 minutes (%)",
        "Complaints",
    ),
    "cyp_sarc": (
        "Children assessed (all areas)", "Children assessed (LLR)", "Referred for rape",
        "Referred for sexual assault", "Female", "Male", "Referred by police",
        "Referred by social care", "Other referral source", "Looked after children",
        "Self-harm behaviours", "Learning disability", "Offered onward therapy",
        "Declined onward therapy",
    ),
    "isva": (
        "Referrals received", "Leicester", "Leicestershire", "Rutland", "Out of area",
        "Declined further engagement", "Supported with a support plan",
        "Average length of support (months)", "Longest support (months)",
    ),
}
# Labels whose value may have decimals; every other label is a whole number.
RETURN_DECIMAL_LABELS = frozenset(
    {"Forensic examination within 60 minutes (%)", "Average length of support (months)",
     "Longest support (months)"}
)
RETURN_PERCENT_LABELS = frozenset({"Forensic examination within 60 minutes (%)"})
