"""An independent count of the published figures, straight from a drop's raw files.

Deliberately separate from the generator (it shares no code with `synthetic/`) and
simple: read every file as text (UTF-8 with or without BOM, else Windows-1252; .xlsx
with date cells or text), parse dates in either style, and count with the rules at the
top of `spec/published-figures.md`:

- a crime counts once, by `recorded_date`, while its `status` is `recorded`;
- a crime's current outcome is its latest by `outcome_date` (ties: the later period's
  file, then the later row);
- "victim under 25" is the crime's youngest victim; rates use ONS mid-2022 population.

Where the papers leave a choice this module makes one, named where it is made.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from pathlib import Path

import pandas as pd

SEEDS = Path(__file__).resolve().parent.parent / "dbt_project" / "seeds"
LLR_POPULATION = 1_136_705
HO_KNIFE_CODES = {"1", "4.1", "4.10", "4.2", "2", "3B", "5D", "5E", "8N", "8P", "34A", "34B",
                  "19C", "19D", "19E", "19F", "19G", "19H", "17A", "17B", "20A", "20B"}
HOMICIDE_CODES = {"1", "4.1", "4.10", "4.2"}
RAPE_CODES = {"19C", "19D", "19E", "19F", "19G", "19H"}
RASSO_CODES = RAPE_CODES | {"17A", "17B", "20A", "20B", "21", "22A", "22B", "23", "70", "71",
                            "72", "73"}
# The SNA groups victims' ethnicity as White (W1-W4), Asian (A1-A5), Black (B1-B3) and
# Other; its four shares sum to 100%, so Mixed (M1-M4) must sit in Other with O1-O2.
# Not stated (NS) and blank are left out of the denominator.
ETHNIC_GROUP = {**{f"W{i}": "White" for i in range(1, 5)},
                **{f"A{i}": "Asian" for i in range(1, 6)},
                **{f"B{i}": "Black" for i in range(1, 4)},
                **{f"M{i}": "Other" for i in range(1, 5)}, "O1": "Other", "O2": "Other"}
PERIOD_RE = re.compile(r"_(\d{4}-\d{2}(?:Q[1-4])?)\.(csv|xlsx)$")


# ---------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------
def decode(data: bytes) -> str:
    """UTF-8 (a BOM dropped) if it decodes, else Windows-1252 (Rutland)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def cell_text(v: object) -> str:
    """An .xlsx cell as text: date cells in ISO style, numbers without a trailing .0."""
    if v is None:
        return ""
    if isinstance(v, datetime):
        return v.isoformat(sep=" ") if (v.hour, v.minute, v.second) != (0, 0, 0) \
            else v.date().isoformat()
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def read_table(path: Path) -> pd.DataFrame:
    """Every column as text; blank cells as empty strings."""
    if path.suffix == ".xlsx":
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True, data_only=True)
        rows = list(wb.worksheets[0].iter_rows(values_only=True))
        wb.close()
        header = [str(h).strip() for h in rows[0]]
        # A row ending in empty cells comes back short: pad it to the header.
        body = [[cell_text(v) for v in r] + [""] * (len(header) - len(r)) for r in rows[1:]]
        return pd.DataFrame(body, columns=header, dtype=str)
    table = pd.read_csv(io.StringIO(decode(path.read_bytes())), dtype=str,
                        keep_default_na=False)
    table.columns = [str(c).strip() for c in table.columns]
    return table


def to_datetime(values: pd.Series) -> pd.Series:
    """Dates or datetimes in `YYYY-MM-DD` or `DD/MM/YYYY` style (one style a file)."""
    s = values.fillna("").astype(str).str.strip()
    uk = s.str.match(r"^\d{2}/\d{2}/\d{4}")
    s = s.where(~uk, s.str.replace(r"^(\d{2})/(\d{2})/(\d{4})", r"\3-\2-\1", regex=True))
    return pd.to_datetime(s.replace("", None), format="ISO8601", errors="coerce")


def read_entity(landing: Path, source: str, entity: str) -> pd.DataFrame:
    """All files of one entity, with `file_name`, `period` and `row_number` columns."""
    frames = []
    for path in sorted((landing / source).glob(f"{entity}_*")):
        m = PERIOD_RE.search(path.name)
        if not m:
            continue
        df = read_table(path)
        df["file_name"] = path.relative_to(landing).as_posix()
        df["period"] = m.group(1)
        df["row_number"] = range(1, len(df) + 1)
        frames.append(df)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def read_seed(name: str) -> pd.DataFrame:
    return pd.read_csv(SEEDS / f"{name}.csv", dtype=str, keep_default_na=False)


def fy_of(ts: pd.Series) -> pd.Series:
    """Financial year label (`2022-23`) of each date."""
    y = ts.dt.year - (ts.dt.month < 4).astype(int)
    return y.astype(str) + "-" + ((y + 1) % 100).astype(str).str.zfill(2)


# ---------------------------------------------------------------------------------------
# The drop
# ---------------------------------------------------------------------------------------
@dataclass
class Drop:
    landing: Path

    @cached_property
    def offences(self) -> pd.DataFrame:
        return read_seed("ref_offence_codes").set_index("ho_offence_code")

    @cached_property
    def beats(self) -> pd.DataFrame:
        return read_seed("ref_beats").set_index("beat_code")

    @cached_property
    def population(self) -> dict[str, int]:
        p = read_seed("ref_population")
        return {r.area_code: int(r.population) for r in p.itertuples()}

    @cached_property
    def crimes(self) -> pd.DataFrame:
        """Recorded (not cancelled) crimes, newest file for each period, one row a crime."""
        c = read_entity(self.landing, "police", "crimes")
        c = c[c["status"] == "recorded"].copy()
        c["recorded"] = to_datetime(c["recorded_date"])
        c["offence"] = to_datetime(c["offence_from"])
        c["fy"] = fy_of(c["recorded"])
        c["sv_group"] = c["ho_offence_code"].map(self.offences["sv_group"]).fillna("")
        c["is_sv"] = c["sv_group"] != ""
        c["district"] = c["beat_code"].map(self.beats["district_name"])
        c["la"] = c["beat_code"].map(self.beats["la_code"])
        return c

    @cached_property
    def people(self) -> pd.DataFrame:
        p = read_entity(self.landing, "police", "crime_people")
        p["age_n"] = pd.to_numeric(p["age"], errors="coerce")
        return p

    @cached_property
    def custody(self) -> pd.DataFrame:
        c = read_entity(self.landing, "police", "custody")
        c["arrived"] = to_datetime(c["arrived_at"])
        return c

    @cached_property
    def current_outcomes(self) -> pd.DataFrame:
        """Each crime's current outcome: latest date, then later period file, later row."""
        o = read_entity(self.landing, "police", "outcomes")
        o["date"] = to_datetime(o["outcome_date"])
        o = o.sort_values(["crime_ref", "date", "period", "row_number"])
        return o.groupby("crime_ref", sort=False).tail(1).set_index("crime_ref")

    def sv(self, fy: str) -> pd.DataFrame:
        c = self.crimes
        return c[c["is_sv"] & (c["fy"] == fy)]

    def people_of(self, crimes: pd.DataFrame, role: str) -> pd.DataFrame:
        p = self.people
        return p[(p["role"] == role) & p["crime_ref"].isin(crimes["crime_ref"])]

    def youngest(self, crimes: pd.DataFrame, role: str) -> pd.Series:
        """The youngest victim's or suspect's age per crime (NaN when none has an age)."""
        p = self.people_of(crimes, role)
        return crimes["crime_ref"].map(p.groupby("crime_ref")["age_n"].min())

    # -- serious violence (003 SNA) --------------------------------------------------------
    def sv_offences(self) -> dict[str, int]:
        c = self.crimes
        return c[c["is_sv"]].groupby("fy").size().to_dict()

    def sv_rates_per_1000(self, fy: str) -> dict[str, float]:
        sv = self.sv(fy)
        out = {"LLR": len(sv) / LLR_POPULATION * 1000}
        for la, n in sv.groupby("la").size().items():
            out[str(la)] = n / self.population[str(la)] * 1000
        return out

    def district_shares(self, fy: str) -> dict[str, float]:
        sv = self.sv(fy)
        return (sv.groupby("district").size() / len(sv)).to_dict()

    def group_shares(self, fy: str) -> dict[str, float]:
        sv = self.sv(fy)
        return (sv.groupby("sv_group").size() / len(sv)).to_dict()

    def code_share(self, fy: str, code: str) -> float:
        sv = self.sv(fy)
        return float((sv["ho_offence_code"] == code).mean())

    def flag_share(self, fy: str, flag: str) -> float:
        return float((self.sv(fy)[flag] == "Y").mean())

    def sexual_violence_share(self, fy: str) -> float:
        sv = self.sv(fy)
        return float(sv["sv_group"].isin(["rape", "other_sexual_offences"]).mean())

    def knife_leicester_share(self, fy: str) -> float:
        sv = self.sv(fy)
        knife = sv[sv["flag_knife_sharp"] == "Y"]
        return float((knife["la"] == "E06000016").mean())

    def location_shares(self, fy: str) -> dict[str, float]:
        """Shares of SV with a recorded location (blank = not recorded, left out)."""
        sv = self.sv(fy)
        known = sv[sv["location_type"] != ""]
        return (known.groupby("location_type").size() / len(known)).to_dict()

    def night_time_economy_share(self, fy: str) -> float:
        h = self.sv(fy)["offence"].dt.hour
        return float(((h >= 22) | (h <= 4)).mean())

    def suspect_male_share(self, fy: str) -> float:
        """Suspect rows of SV crimes with a stated sex (M, F, X); U and blank left out."""
        p = self.people_of(self.sv(fy), "suspect")
        p = p[p["sex"].isin(["M", "F", "X"])]
        return float((p["sex"] == "M").mean())

    def victim_female_share(self, fy: str) -> float:
        p = self.people_of(self.sv(fy), "victim")
        p = p[p["sex"].isin(["M", "F", "X"])]
        return float((p["sex"] == "F").mean())

    def victim_ethnic_groups(self, fy: str) -> dict[str, float]:
        p = self.people_of(self.sv(fy), "victim")
        g = p["ethnicity"].map(ETHNIC_GROUP).dropna()
        return (g.value_counts() / len(g)).to_dict()

    def suspects_under_25_share(self, fy: str) -> float:
        p = self.people_of(self.sv(fy), "suspect").dropna(subset=["age_n"])
        return float((p["age_n"] < 25).mean())

    def sv_by_month(self) -> pd.Series:
        c = self.crimes
        sv = c[c["is_sv"]]
        return sv.groupby(sv["offence"].dt.to_period("M")).size()

    def sv_by_weekday(self) -> pd.Series:
        """SV crimes by weekday of the offence (0 = Monday), whole period."""
        c = self.crimes
        return c[c["is_sv"]].groupby(c["offence"].dt.day_of_week).size()

    def under_25_peak_hour(self) -> int:
        """The commonest offence hour of SV whose youngest suspect is under 25."""
        c = self.crimes
        sv = c[c["is_sv"]]
        young = sv[self.youngest(sv, "suspect") < 25]
        return int(young["offence"].dt.hour.value_counts().idxmax())

    # -- Home Office SV Duty measures (003 SV Duty para 26) --------------------------------
    def knife_enabled(self, fy: str, victim_under_25: bool = False) -> int:
        c = self.crimes
        k = c[(c["fy"] == fy) & (c["flag_knife_sharp"] == "Y")
              & c["ho_offence_code"].isin(HO_KNIFE_CODES)]
        if victim_under_25:
            k = k[self.youngest(k, "victim") < 25]
        return len(k)

    def homicides(self, fy: str, knife_victim_under_25: bool = False) -> int:
        c = self.crimes
        h = c[(c["fy"] == fy) & c["ho_offence_code"].isin(HOMICIDE_CODES)]
        if knife_victim_under_25:
            h = h[(h["flag_knife_sharp"] == "Y") & (self.youngest(h, "victim") < 25)]
        return len(h)

    # -- RASSO (000, 003 Op Soteria) -------------------------------------------------------
    def rapes(self, first: date, last: date) -> pd.DataFrame:
        c = self.crimes
        return c[c["ho_offence_code"].isin(RAPE_CODES)
                 & (c["recorded"] >= pd.Timestamp(first)) & (c["recorded"] <= pd.Timestamp(last))]

    def charge_rate(self, first: date, last: date) -> float:
        """Rapes recorded in the window whose current outcome is 1 or 1A, over all."""
        r = self.rapes(first, last)
        current = r["crime_ref"].map(self.current_outcomes["outcome_code"])
        return float(current.isin(["1", "1A"]).mean())

    def median_days_to_outcome(self, first: date, last: date) -> float:
        """Median of outcome_date - recorded_date over rapes whose current outcome was
        assigned in the window."""
        c = self.crimes
        r = c[c["ho_offence_code"].isin(RAPE_CODES)].set_index("crime_ref")
        o = self.current_outcomes
        o = o[o.index.isin(r.index) & (o["date"] >= pd.Timestamp(first))
              & (o["date"] <= pd.Timestamp(last))]
        return float((o["date"] - r.loc[o.index, "recorded"]).dt.days.median())

    def rape_victims(self, first: date, last: date) -> tuple[float, float]:
        """(female share, aged 16+ share) of victim rows of rapes recorded in the window."""
        p = self.people_of(self.rapes(first, last), "victim")
        sexed = p[p["sex"].isin(["M", "F", "X"])]
        aged = p.dropna(subset=["age_n"])
        return float((sexed["sex"] == "F").mean()), float((aged["age_n"] >= 16).mean())

    def rasso_suspects_under_19(self, first: date, last: date) -> float:
        c = self.crimes
        r = c[c["ho_offence_code"].isin(RASSO_CODES) & (c["recorded"] >= pd.Timestamp(first))
              & (c["recorded"] <= pd.Timestamp(last))]
        p = self.people_of(r, "suspect").dropna(subset=["age_n"])
        return float((p["age_n"] < 19).mean())

    def rapes_per_100k(self, year: int) -> float:
        """Rapes recorded in a calendar year per 100,000. A year only partly inside the
        data (2019 starts on 1 April) is annualised from the months it covers."""
        c = self.crimes
        r = c[c["ho_offence_code"].isin(RAPE_CODES) & (c["recorded"].dt.year == year)]
        months = c[c["recorded"].dt.year == year]["recorded"].dt.month.nunique()
        return len(r) * 12 / max(months, 1) / LLR_POPULATION * 100_000

    # -- custody (003 ICV report para 31) --------------------------------------------------
    def custody_detentions(self, fy: str) -> int:
        return int((fy_of(self.custody["arrived"]) == fy).sum())
