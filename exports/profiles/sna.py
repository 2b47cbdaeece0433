"""The partnership's strategic needs assessment profile, for `opcc`, from the tables opcc
receives, as published.

It follows the chapters of the VRN's Serious Violence Strategic Needs Assessment (seed
003, "Profile of Serious Violence" onwards): extent and trend, nature, geography (with
where offences happen), timing, people, health, rape and serious sexual offences, custody
and custody visiting, the cohort's risk factors, and Leicestershire against England and
Wales and the other forces. A chapter is built only from the tables opcc receives (and
left out otherwise), so the profile grows as `pub_sna_` tables are added to its exposure.

Every figure comes from `Built.published`, the frames written to the CSVs: a `[c]` is said
as "suppressed", drawn as a labelled gap and never stated, summed or compared; `[x]` is
"not available". Nothing is counted here: the words of change ("rose by 3%") and the
shares in sentences compare two published figures, both shown. The CSP locality profile
(`exports.profiles.csp`) supplies the reading, wording and chart helpers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from exports import labels
from exports.partners import disclosure_rule
from exports.profiles import csp
from exports.profiles.charts import BarChart, LineChart, Series
from exports.profiles.common import (
    AUTHOR,
    Cells,
    Context,
    Source,
    about_sources,
    bars,
    breakdown,
    cell,
    cell_text,
    change_sentence,
    change_words,
    chart_block,
    largest,
    month_span,
    only,
    period_table,
    quarter_sentence,
    quarter_words,
    rate_words,
    said,
    short_month,
    weekday,
    year_earlier_label,
)
from exports.profiles.document import (
    Block,
    Document,
    Headlines,
    Paragraph,
    Section,
    Table,
    Tile,
)
from exports.profiles.numbers import (
    count_text,
    is_suppressed,
    number,
    rate_text,
    share_text,
    spoken,
)
from exports.shapes import NOT_AVAILABLE, SUPPRESSED

PARTNER = "opcc"
LLR = "Leicester, Leicestershire and Rutland"
FORCE = "Leicestershire"

# The opcc tables each chapter reads, first name found wins (the pub_sna_ models are
# being added: the second names are the ones they may end up with).
TABLES: Mapping[str, tuple[str, ...]] = {
    "area": ("sna_sv_by_area",),
    "month": ("sna_sv_by_month",),
    "group": ("sna_sv_by_group", "sna_sv_by_offence_group"),
    "location": ("sna_sv_by_location",),
    "timing": ("sna_sv_by_weekday_hour",),
    "people": ("sna_people_rates", "sna_rates_by_age_sex"),
    "repeat": ("sna_repeat_people",),
    "health": ("sna_health", "sna_assault_injury", "sna_health_injuries"),
    "cohort": ("sna_cohort_risk_factors",),
    "forces": ("sna_force_comparison",),
}

def word(column: str, value: Any) -> str:
    return str(labels.value_label(column, value))


def people_of(role: Any) -> str:
    """ "Victims", "Suspects": a role as the people in it."""
    return labels.ROLE_PLURALS.get(str(role)) or word("role", role)


# ------------------------------------------------------------------------ reading tables


def _table(src: Source, chapter: str, *columns: str) -> pd.DataFrame | None:
    name = _table_name(src, chapter, *columns)
    return None if name is None else src.tables[name]


def _table_name(src: Source, chapter: str, *columns: str) -> str | None:
    for name in TABLES[chapter]:
        frame = src.get(name, *columns)
        if frame is not None and len(frame):
            return name
    return None


def _pick(frame: pd.DataFrame, *candidates: str) -> str | None:
    return next((c for c in candidates if c in frame.columns), None)


def _totals(frame: pd.DataFrame, keep: Sequence[str] = ()) -> pd.DataFrame:
    """Only the `all` rows of the breakdowns a chart does not draw (an age-group or sex
    column beside the one a chapter is about), so one cell answers each question."""
    for column in ("age_group", "sex", "age_band", "role", "subgroup", "domain", "source",
                   "measure"):
        if column in frame.columns and column not in keep:
            values = frame[column].astype(str)
            if (values == "all").any():
                frame = frame[values == "all"]
    return frame


@dataclass(frozen=True)
class Slice:
    """The rows of a table's latest window, with its words: `label` for titles ("12
    months to September 2024"), `when` in a sentence ("in the 12 months to ...")."""

    rows: pd.DataFrame
    label: str
    when: str


def _year_words(fy: str) -> tuple[str, str]:
    first = int(str(fy)[:4])
    return f"April {first} to March {first + 1}", f"in {first}/{str(first + 1)[2:]}"


def _latest(src: Source, frame: pd.DataFrame) -> Slice | None:
    """The headline window: the rolling 12 months of an export-window table, else the
    last financial year of a year-by-year table, else the table as it is."""
    if {"period", "period_start", "period_end"} <= set(frame.columns):
        w = src.rolling(frame)
        if w is None:
            return None
        return Slice(only(frame, period=w.period), w.label, f"in the {w.label}")
    if "financial_year" in frame.columns:
        years = sorted(frame["financial_year"].dropna().astype(str).unique())
        if not years:
            return None
        label, when = _year_words(years[-1])
        return Slice(only(frame, financial_year=years[-1]), label, when)
    return Slice(frame, "", "")


def _titled(title: str, s: Slice) -> str:
    return f"{title}, {s.label}" if s.label else title


def _pct(value: Any) -> Any:
    """A published fraction as a percentage to one decimal for drawing; `[c]`/`[x]` stay."""
    v = number(value)
    return value if v is None else round(100 * v, 1)


def _pct_text(value: Any) -> str:
    v = number(value)
    if v is None:
        return SUPPRESSED if is_suppressed(value) else NOT_AVAILABLE
    return f"{100 * v:.1f}%"


def _said_pct(value: Any) -> str:
    v = number(value)
    if v is None:
        return "suppressed" if is_suppressed(value) else "not available"
    return f"{100 * v:.1f}%"


def _alias(src: Source, renames: Mapping[str, tuple[str, pd.DataFrame]]) -> Source:
    """The same export seen under the table names csp's helpers read."""
    return Source({**src.tables, **{name: frame for name, (_, frame) in renames.items()}},
                  src.fy_quarter)


# ------------------------------------------------------------------------ chapters


@dataclass(frozen=True)
class Sna:
    src: Source
    place: str
    owner: str

    def csp(self, src: Source | None = None) -> Context:
        return Context(src or self.src, self.place, self.owner)


def _llr_row(frame: pd.DataFrame) -> pd.DataFrame:
    """The partnership's own row of a table by area (never a sum of its parts)."""
    if "area_level" in frame.columns:
        for level in ("llr", "force", "all"):
            rows = frame[frame["area_level"].astype(str) == level]
            if len(rows):
                return rows
    if "area_code" in frame.columns:
        rows = frame[frame["area_code"].astype(str).isin(["LLR", "all"])]
        if len(rows):
            return rows
    return frame.iloc[0:0]


def _change(row: pd.DataFrame) -> Any:
    """The published change on a year earlier (never one worked out from two counts)."""
    column = _pick(row, "change_on_year_earlier", "change_on_previous_year")
    return cell(row, column) if column else NOT_AVAILABLE


def extent_chapter(sna: Sna) -> Section | None:
    blocks: list[Block] = []
    tiles: list[Tile] = []
    area = _table(sna.src, "area", "offences")
    if area is not None and (s := _latest(sna.src, _totals(area))) is not None:
        row = _llr_row(s.rows)
        if len(row):
            change = _change(row)
            earlier = year_earlier_label(s.label) if s.label.startswith("12") else \
                "the year before"
            rate, n = cell(row, "rate_per_1000"), cell(row, "offences")
            source = f"{_table_name(sna.src, 'area')}.csv"
            has_change = number(change) is not None or is_suppressed(change)
            tiles.append(Tile("Serious violence", count_text(n),
                              change_words(change, earlier) if has_change else "",
                              rate_words(rate, n), s.label, source=source))
            text = change_sentence("Serious violence", sna.place, n, change,
                                   s.label or "latest period")
            if number(rate) is not None and number(n) is not None:
                text += f" That is {rate_text(rate)} offences per 1,000 residents."
            if not has_change:
                text += (" The change on a year earlier is not available: the tables do "
                         "not yet hold the same 12 months a year before.")
            blocks.append(said(text, source))
            blocks += _quarters(sna, area, source)
    month = _table(sna.src, "month", "month", "offences")
    if month is not None:
        blocks += _trend(_totals(month), sna.place,
                         f"{_table_name(sna.src, 'month', 'month', 'offences')}.csv")
    if not blocks:
        return None
    if tiles:
        blocks.insert(0, Headlines(tuple(tiles)))
    return Section("Extent and trend of serious violence", tuple(blocks), "extent")


MONTH_PARTS = labels.MONTH_SERIES


def _trend(frame: pd.DataFrame, place: str, source: str) -> list[Block]:
    """The monthly line of all serious violence, the kinds of it on a second chart (at
    most four lines, so each stays legible), and every published cell in a table."""
    months = [labels.month_label(m) for m in frame["month"]]
    short = tuple(short_month(m) for m in months)
    span = month_span(months)
    blocks: list[Block] = [chart_block(LineChart(
        "trend-all", f"Serious violence offences by month, {span}", short,
        (Series("All serious violence", tuple(frame["offences"])),),
        "Offences per month", "Month recorded"), place)]
    parts = [c for c in MONTH_PARTS if c in frame.columns]
    drawn = [c for c in parts if any(number(v) for v in frame[c])][:4]
    hidden = [c for c in parts if not any(number(v) for v in frame[c])]
    note = (f"Not drawn, because every month for {place} is 0 or below 5 and withheld "
            "([c]): " + "; ".join(MONTH_PARTS[c] for c in hidden) + ".") if hidden else ""
    if drawn:
        blocks.append(chart_block(LineChart(
            "trend-kinds", f"Kinds of serious violence by month, {span}", short,
            tuple(Series(MONTH_PARTS[c], tuple(frame[c])) for c in drawn),
            "Offences per month", "Month recorded"), place, note))
    elif note and len(months) > 1:
        blocks.append(Paragraph(note))
    header = ("Month", "All serious violence", *(MONTH_PARTS[c] for c in parts))
    rows = tuple((m, *(count_text(v) for v in r)) for m, r in zip(
        months, frame[["offences", *parts]].itertuples(index=False, name=None), strict=True))
    blocks.append(Table(f"Serious violence offences by month, {span}", header, rows,
                        source=source))
    if parts:
        blocks.append(Paragraph("An offence can be counted in several kinds (a domestic "
                                "abuse offence with a knife counts in both), so the kinds "
                                "do not add up to the total."))
    knives = {MONTH_PARTS[c] for c in parts if "knife" in c}
    if len(knives) >= 2:
        blocks.append(Paragraph(
            "Two knife measures are shown. Knife-enabled (Home Office list): the offences "
            "on the Home Office's list of knife-enabled crime in which a knife or sharp "
            "instrument was used or threatened. Flagged as involving a knife or sharp "
            "object: any serious violence the police flagged as involving one, whatever "
            "the offence. The first is mostly a part of the second."))
    return blocks


def _quarters(sna: Sna, area: pd.DataFrame, source: str) -> list[Block]:
    if "period" not in area.columns:
        return []
    rows = _llr_row(_totals(area))
    qs = sna.src.quarters(rows)
    if len(qs) < 2:
        return []
    a, b = qs[-2], qs[-1]
    text = quarter_sentence("Serious violence", sna.place,
                            (cell(only(rows, period=a.period), "offences"), a.label),
                            (cell(only(rows, period=b.period), "offences"), b.label))
    return [said(text, source)] if text else []


def nature_chapter(sna: Sna) -> Section | None:
    frame = _table(sna.src, "group", "period", "sv_group", "offences")
    if frame is None:
        return None
    src = _alias(sna.src, {"sv_by_offence_group": ("", _totals(frame))})
    section = breakdown(sna.csp(src), "sv_by_offence_group", "sv_group", "nature",
                        "Nature of serious violence", "serious violence group",
                        largest("offence group", sna.place, "sv_group"),
                        source=f"{_table_name(sna.src, 'group')}.csv")
    if section is None:
        return None
    changes = _group_changes(sna, frame, f"{_table_name(sna.src, 'group')}.csv")
    return Section(section.heading, (*section.blocks[:1], *changes,
                                     *section.blocks[1:]), "nature")


LARGE_GROUP = 100  # a change on a handful of offences says little: compare the larger groups


def _group_changes(sna: Sna, frame: pd.DataFrame, source: str) -> list[Block]:
    """The groups that rose and fell most on the same months a year earlier, from the
    published change (a group whose change is suppressed is not compared)."""
    if "change_on_year_earlier" not in frame.columns:
        return []
    s = _latest(sna.src, frame)
    if s is None:
        return []
    shown = [(number(c), str(g)) for g, c, n in zip(
        s.rows["sv_group"], s.rows["change_on_year_earlier"], s.rows["offences"],
        strict=True) if str(g) != "all" and number(c) is not None
        and (number(n) or 0) >= LARGE_GROUP]
    if len(shown) < 2:
        return []
    shown.sort()
    (low, low_group), (high, high_group) = shown[0], shown[-1]
    earlier = year_earlier_label(s.label) if s.label.startswith("12") else "a year earlier"
    parts = []
    if round(100 * high):
        parts.append(f"{word('sv_group', high_group).lower()} "
                     f"{'rose' if high > 0 else 'fell'} most (by {abs(100 * high):.0f}%)")
    if round(100 * low) and low < 0 and low_group != high_group:
        parts.append(f"{word('sv_group', low_group).lower()} fell most (by "
                     f"{abs(100 * low):.0f}%)")
    if not parts:
        return []
    text = (f"Compared with {earlier}, among the groups of a hundred offences or more, "
            + " and ".join(parts) + ".")
    return [said(text, source)]


def geography_chapter(sna: Sna) -> Section | None:
    blocks: list[Block] = []
    area = _table(sna.src, "area", "area_name", "offences", "rate_per_1000")
    if area is not None and (s := _latest(sna.src, _totals(area))) is not None:
        source = f"{_table_name(sna.src, 'area', 'area_name')}.csv"
        llr = _llr_row(s.rows)
        rows = _areas(s.rows)
        parts = rows.drop(llr.index, errors="ignore")
        s = Slice(rows, s.label, s.when)
        if len(parts):
            shown = [(number(v), str(n)) for n, v in zip(parts["area_name"],
                                                         parts["rate_per_1000"], strict=True)
                     if number(v) is not None]
            if shown:
                top, name = max(shown)
                text = (f"{name} had the highest rate of serious violence {s.when}: "
                        f"{rate_text(top)} offences per 1,000 residents")
                whole = cell(llr, "rate_per_1000")
                text += (f", against {rate_text(whole)} across {sna.place}."
                         if number(whole) is not None else ".")
                blocks.append(said(text, source))
            blocks.append(chart_block(bars(
                "area-rates", _titled("Serious violence offences per 1,000 residents by "
                                      "area", s), s.rows, "area_name", "rate_per_1000",
                "Offences per 1,000 residents", "Area", unit="per 1,000 residents",
                decimals=2), sna.place))
            blocks.append(Table(
                _titled("Serious violence by area", s),
                ("Area", "Offences", "Population", "Rate per 1,000 residents"),
                tuple((str(r["area_name"]), count_text(r["offences"]),
                       count_text(r.get("population", NOT_AVAILABLE)),
                       rate_text(r["rate_per_1000"])) for r in s.rows.to_dict("records")),
                source=source))
    location = _table(sna.src, "location", "period", "location_type", "offences")
    if location is not None:
        worded = _totals(location).assign(location_type=[
            v if str(v) == "all" else word("location_type", v)
            for v in _totals(location)["location_type"]])
        src = _alias(sna.src, {"sv_by_location": ("", worded)})
        section = breakdown(sna.csp(src), "sv_by_location", "location_type", "locations",
                            "Locations", "type of location",
                            largest("type of location", sna.place, "location_type"),
                            source=f"{_table_name(sna.src, 'location')}.csv")
        if section is not None:
            blocks += section.blocks
    if not blocks:
        return None
    return Section("Geography of serious violence", tuple(blocks), "geography")


def _areas(rows: pd.DataFrame) -> pd.DataFrame:
    """The partnership, its upper-tier authorities, then the districts not already named
    (Leicester and Rutland are both): the SNA's geography table. CSP rows are left to
    the CSPs' own profiles."""
    if "area_level" not in rows.columns:
        return rows
    chosen, seen = [], set()
    for level in ("llr", "la", "district"):
        for i, r in rows[rows["area_level"].astype(str) == level].iterrows():
            if str(r["area_name"]) not in seen:
                seen.add(str(r["area_name"]))
                chosen.append(i)
    return rows.loc[chosen] if chosen else rows


def timing_chapter(sna: Sna) -> Section | None:
    frame = _table(sna.src, "timing", "weekday", "offences")
    if frame is None:
        return None
    hour = _pick(frame, "offence_hour", "hour", "time_slot")
    if hour is None:
        return None
    keep = [c for c in ("period", "period_start", "period_end", "financial_year", "weekday",
                        "offences") if c in frame.columns]
    grid = _totals(frame)[[*keep, hour]].rename(columns={hour: "hour"})
    grid["hour"] = [f"{int(_whole(h)):02d}" if _whole(h) is not None else
                    "Not known" if str(h) == "unknown" else str(h) for h in grid["hour"]]
    grid["weekday"] = [_whole(d) if _whole(d) is not None else d for d in grid["weekday"]]
    source = f"{_table_name(sna.src, 'timing', 'weekday', 'offences')}.csv"
    section = csp.timing_section(sna.csp(_alias(sna.src, {"sv_by_weekday_hour": ("", grid)})),
                                 source=source)
    if section is None:
        return None
    blocks: list[Block] = []
    s = _latest(sna.src, grid)
    if s is not None:
        cells = [(number(v), weekday(d), str(h)) for d, h, v in zip(
            s.rows["weekday"], s.rows["hour"], s.rows["offences"], strict=True)
            if str(d) != "all" and _whole(str(h)) is not None and number(v) is not None]
        if cells:
            v, day, h = max(cells)
            blocks.append(said(
                f"The busiest hour {s.when} was {day} from {h}:00 to {h}:59, when "
                f"{spoken(v, 'offences')} began.", source))
    return Section("Timing of serious violence", (*blocks, *section.blocks), "timing")


def _whole(value: Any) -> int | None:
    """A code published as a whole number, as text or as a number (`"4"`, `4`)."""
    text = str(value)
    return int(text) if text.isdigit() else None


def people_chapter(sna: Sna) -> Section | None:
    blocks: list[Block] = []
    rates = _table(sna.src, "people", "role", "age_band", "sex")
    if rates is not None and (s := _latest(sna.src, rates)) is not None:
        count = _pick(rates, "persons", "people")
        source = f"{_table_name(sna.src, 'people', 'role', 'age_band', 'sex')}.csv"
        for role in dict.fromkeys(s.rows["role"].astype(str)):
            rows = only(s.rows, role=role)
            blocks += _people_blocks(sna, role, rows, count, s, source)
    repeat = _table(sna.src, "repeat", "role", "domain", "persons")
    if repeat is not None and (s := _latest(sna.src, repeat)) is not None:
        blocks += _repeat_blocks(
            sna, s, f"{_table_name(sna.src, 'repeat', 'role', 'domain', 'persons')}.csv")
    if not blocks:
        return None
    return Section("People: victims and perpetrators", tuple(blocks), "people")


def _people_blocks(sna: Sna, role: str, rows: pd.DataFrame, count: str | None,
                   s: Slice, source: str) -> list[Block]:
    who = people_of(role)
    blocks: list[Block] = []
    total = only(rows, age_band="all", sex="all")
    if count and len(total):
        persons, rate = cell(total, count), cell(total, "rate_per_1000")
        if number(persons) is not None:
            text = (f"{spoken(persons, 'people')} were {who.lower()} of serious "
                    f"violence in {sna.place} {s.when}".rstrip())
            text += (f": {rate_text(rate)} per 1,000 residents." if number(rate) is not None
                     else ".")
            blocks.append(said(text, source))
    value = "rate_per_1000" if "rate_per_1000" in rows.columns else count
    if value is None:
        return blocks
    bands = [b for b in dict.fromkeys(rows["age_band"].astype(str)) if b != "all"]
    sexes = [x for x in dict.fromkeys(rows["sex"].astype(str)) if x != "all"]
    by_cell = Cells(rows, "age_band", "sex")
    series = tuple(Series(word("sex", x), tuple(
        by_cell.get(value, age_band=b, sex=x) for b in bands)) for x in sexes)
    if not bands or not series:
        return blocks
    per = value == "rate_per_1000"
    blocks.append(chart_block(BarChart(
        f"people-{role}", _titled(f"{who} of serious violence per 1,000 residents by age and "
                                  "sex" if per else f"{who} of serious violence by age and "
                                  "sex", s), tuple(word("age_band", b) for b in bands),
        series, "People per 1,000 residents" if per else "People", "Age band (years)",
        unit="per 1,000 residents" if per else "people", horizontal=False,
        decimals=2 if per else 0), sna.place))
    header = ["Age band", "Sex"]
    columns = [c for c in (count, "population", "rate_per_1000") if c and c in rows.columns]
    header += [labels.column_label(None, c) if c != count else "People" for c in columns]
    body = []
    for b in [*bands, "all"]:
        for x in [*sexes, "all"]:
            r = only(rows, age_band=b, sex=x)
            if len(r):
                body.append((word("age_band", b), word("sex", x),
                             *(cell_text(cell(r, c), c) for c in columns)))
    blocks.append(Table(_titled(f"{who} of serious violence by age and sex", s),
                        tuple(header), tuple(body), (False, False, *([True] * len(columns))),
                        source=source))
    return blocks


def _repeat_blocks(sna: Sna, s: Slice, source: str) -> list[Block]:
    rows = s.rows
    repeat = _pick(rows, "persons_repeat", "repeat_persons")
    again = _pick(rows, "persons_again_12m")
    share = _pick(rows, "share_repeat")
    blocks: list[Block] = []
    sentences = []
    for r in only(rows, domain="serious_violence").to_dict("records") if repeat else []:
        persons, twice = r["persons"], r[repeat]
        if number(persons) is not None and number(twice) is not None:
            pct = f" ({_pct_text(r[share])})" if share and number(r[share]) is not None \
                else ""
            sentences.append(f"{spoken(twice, 'of the')} {count_text(persons)} "
                             f"{people_of(r['role']).lower()} of serious violence "
                             f"{s.when} were involved in two or more such crimes{pct}.")
    blocks += [said(t[:1].upper() + t[1:], source) for t in sentences]
    again_share = _pick(rows, "share_again_12m")
    columns = [c for c in ("persons", repeat, share, again, again_share) if c]
    names = {"persons": "People", repeat: "In two or more crimes in the year",
             share: "Share in two or more", again: "In another within 12 months",
             again_share: "Share in another within 12 months"}
    blocks.append(Table(
        _titled("Repeat victims and perpetrators", s),
        ("Crimes", "Role", *(names[c] for c in columns)),
        tuple((word("domain", r["domain"]), word("role", r["role"]),
               *(_pct_text(r[c]) if c in (share, again_share) else count_text(r[c])
                 for c in columns))
              for r in rows.to_dict("records")),
        (False, False, *([True] * len(columns))), source=source))
    return blocks


def health_chapter(sna: Sna) -> Section | None:
    frame = next((sna.src.tables[n] for n in TABLES["health"] if n in sna.src.tables), None)
    if frame is None or not len(frame):
        return None
    s = _latest(sna.src, frame)
    if s is None:
        return None
    blocks: list[Block] = [Paragraph(
        "Assault-related A&E attendances, emergency admissions and ambulance call-outs of "
        f"{sna.place} residents. Health figures follow NHS Digital's rule: counts of 1 to 7 "
        "are suppressed and every other count is rounded to the nearest 5.")]
    count = _pick(frame, "events", "attendances", "count", "persons")
    name = next(n for n in TABLES["health"] if n in sna.src.tables)
    if "source" in frame.columns and count:
        rows = _totals(s.rows, keep=("source",))
        blocks.append(chart_block(bars("health-sources", _titled(
            "Assault-related health events by service", s), rows, "source", count,
            _titled("Events", s), "Service", unit="events", sort=False), sna.place))
    blocks.append(_generic_table(sna.src, frame, _titled("Assault-related health events",
                                                          s), f"{name}.csv"))
    return Section("Health", tuple(blocks), "health")


def _generic_table(src: Source, frame: pd.DataFrame, caption: str, source: str = ""
                   ) -> Table:
    """A published table as it is, its codes in words (for tables whose shape the
    profile does not know yet)."""
    hidden = {"period_start", "period_end", "row_order", "export_quarter"}
    columns = [c for c in frame.columns if c not in hidden]
    periods = {w.period: w.label for w in src.windows(frame)} if {
        "period", "period_start", "period_end"} <= set(frame.columns) else {}
    numeric = [pd.api.types.is_numeric_dtype(frame[c]) or any(
        number(v) is not None for v in frame[c]) for c in columns]
    body = []
    for r in frame.to_dict("records"):
        cells = []
        for c, is_number in zip(columns, numeric, strict=True):
            if c == "period":
                cells.append(periods.get(r[c], str(r[c])))
            elif is_number:
                cells.append(cell_text(r[c], c))
            else:
                cells.append(word(c, r[c]))
        body.append(tuple(cells))
    return Table(caption, tuple(labels.column_label(None, c) for c in columns), tuple(body),
                 tuple(numeric), source=source)


def rasso_chapter(sna: Sna) -> Section | None:
    blocks: list[Block] = []
    tiles: list[Tile] = []
    perf = sna.src.get("rasso_performance", "month_end", "rapes_12m", "charge_rate_12m")
    if perf is not None and len(perf):
        blocks += _performance(sna, perf, tiles)
    outcomes = sna.src.get("rasso_outcomes", "period", "outcome_group", "rapes")
    if outcomes is not None and len(outcomes) and (w := sna.src.rolling(outcomes)):
        rows = only(outcomes, period=w.period)
        total = cell(only(rows, outcome_group="all"), "rapes")
        sentences = []
        for group, what in (("charged", "were charged or summonsed"),
                            ("victim_not_supporting", "closed because the victim did not "
                                                      "support further action"),
                            ("under_investigation", "were still under investigation")):
            v = cell(only(rows, outcome_group=group), "rapes")
            if number(v) is not None and number(total) is not None:
                sentences.append(f"{spoken(v, '')} {what}")
        if sentences:
            blocks.append(said(
                f"Of the {spoken(total, 'rapes')} recorded in the {w.label}, as they stand "
                f"now: " + "; ".join(sentences) + ".", "rasso_outcomes.csv"))
        blocks.append(chart_block(bars(
            "rasso-outcomes", f"Rapes recorded by outcome, {w.label}", rows, "outcome_group",
            "rapes", f"Rapes ({w.label})", "Outcome", unit="rapes", sort=False), sna.place))
        blocks.append(period_table(sna.src, outcomes, "outcome_group", "rapes",
                                   "Rapes recorded by outcome, as it stands now", "Outcome",
                                   source="rasso_outcomes.csv"))
    if not blocks:
        return None
    if tiles:
        blocks.insert(0, Headlines(tuple(tiles)))
    return Section("Rape and serious sexual offences", tuple(blocks), "rasso")


def _performance(sna: Sna, perf: pd.DataFrame, tiles: list[Tile]) -> list[Block]:
    perf = perf.sort_values("month_end")
    first, last = perf.iloc[[0]], perf.iloc[[-1]]
    months = [labels.month_label(m) for m in perf["month_end"]]
    now, then = f"12 months to {months[-1]}", f"12 months to {months[0]}"
    rate, before = cell(last, "charge_rate_12m"), cell(first, "charge_rate_12m")
    target_column = _pick(perf, "charge_rate_target", "target_charge_rate", "target")
    target = cell(last, target_column) if target_column else NOT_AVAILABLE
    rapes = cell(last, "rapes_12m")
    per = cell(last, "rapes_per_1000_12m")
    text = f"In the {now}, {spoken(rapes, 'rapes')} were recorded in {sna.place}"
    text += f" ({rate_text(per)} per 1,000 residents)." if number(per) is not None else "."
    blocks: list[Block] = []
    if number(rate) is not None:
        text += f" The rape charge rate was {_said_pct(rate)} in the {now}"
        if number(target) is not None:
            text += f", against the force's target of {_target_pct(target)}"
        if number(before) is not None and len(perf) > 1:
            a, b = number(before), number(rate)
            text += (f"; it was {_said_pct(before)} in the {then}." if a != b else
                     f", the same as in the {then}.")
        else:
            text += "."
    elif is_suppressed(rate):
        text += " The rape charge rate is suppressed."
    source = "rasso_performance.csv"
    blocks.append(said(text, source))
    tiles.append(Tile("Rapes recorded", count_text(rapes), "", rate_words(per), now,
                      source=source))
    tiles.append(Tile("Rape charge rate", _pct_text(rate),
                      f"{_pct_text(before)} in the {then}" if len(perf) > 1 else "",
                      f"target {_target_pct(target)}" if number(target) is not None
                      else "charged or summonsed", now, source=source))
    vns = cell(last, "victim_not_supporting_rate_12m")
    if "victim_not_supporting_rate_12m" in perf.columns:
        tiles.append(Tile("Victim does not support action", _pct_text(vns), "",
                          "of outcomes assigned", now, source=source))
    short = tuple(short_month(m) for m in months)
    series = [Series("Charge rate", tuple(_pct(v) for v in perf["charge_rate_12m"]))]
    if target_column:
        series.append(Series("Target", tuple(_pct(v) for v in perf[target_column])))
    blocks.append(chart_block(LineChart(
        "rasso-charge-rate", f"Rape charge rate over the 12 months to each month end, "
        f"{month_span(months)}", short, tuple(series),
        "Charge rate (% of rapes recorded)", "12 months ending", unit="%", decimals=1),
        sna.place))
    columns = [c for c in ("rapes_12m", "rapes_per_1000_12m", "charged_12m",
                           "charge_rate_12m", target_column, "median_days_to_outcome_12m",
                           "victim_not_supporting_rate_12m") if c and c in perf.columns]
    blocks.append(Table(
        "Rape performance over the 12 months to each month end",
        ("12 months ending", *(labels.column_label(None, c) for c in columns)),
        tuple((m, *(_perf_text(r[c], c) for c in columns))
              for m, r in zip(months, perf.to_dict("records"), strict=True)),
        source=source))
    return blocks


def _target_pct(value: Any) -> str:
    """A published target fraction as a percentage (0.08 -> "8%", 0.085 -> "8.5%")."""
    return f"{round(100 * number(value), 1):g}%"


def _perf_text(value: Any, column: str) -> str:
    if ("rate" in column and "per_1000" not in column) or "target" in column:
        return _pct_text(value)
    if "per_1000" in column:
        return rate_text(value)
    if "median" in column:
        return rate_text(value, 1)
    return count_text(value)


def services_chapter(sna: Sna) -> Section | None:
    blocks: list[Block] = []
    for name, what in (("sarc_returns", "Sexual Assault Referral Centre (adults)"),
                       ("cyp_sarc_returns", "Sexual Assault Referral Centre (children and "
                                            "young people)"),
                       ("isva_returns", "Independent Sexual Violence Advocates")):
        frame = sna.src.get(name, "fy_quarter")
        if frame is None or not len(frame):
            continue
        measures = [c for c in frame.columns if c != "fy_quarter"]
        quarters = list(frame["fy_quarter"].astype(str))
        blocks.append(Table(
            f"{what}: quarterly return", ("Measure", *(
                labels.value_label("fy_quarter", q) for q in quarters)),
            tuple((labels.column_label(None, m), *(
                _service_text(v, m) for v in frame[m])) for m in measures),
            source=f"{name}.csv"))
    if not blocks:
        return None
    return Section("Support for victims of sexual violence", (Paragraph(
        "The commissioned services' own quarterly returns, as they reported them."),
        *blocks), "services")


def _service_text(value: Any, measure: str) -> str:
    return rate_text(value, 1) if "_months" in measure or "within_60" in measure \
        else count_text(value)


def custody_chapter(sna: Sna) -> Section | None:
    blocks: list[Block] = []
    tiles: list[Tile] = []
    det = sna.src.get("custody_detentions", "period", "suite_code", "detentions")
    if det is not None and len(det) and (w := sna.src.rolling(det)):
        rows = only(det, period=w.period)
        total = only(rows, suite_code="all")
        n, young = cell(total, "detentions"), cell(total, "juvenile_detentions")
        hours = cell(total, "median_detention_hours")
        text = f"There were {spoken(n, 'detentions')} in Leicestershire Police custody " \
               f"in the {w.label}"
        if number(young) is not None and number(n) is not None:
            text += f", {spoken(young, '')} of them of children"
        if number(hours) is not None:
            text += f"; half ended within {rate_text(hours, 1)} hours"
        blocks.append(said(text + ".", "custody_detentions.csv"))
        tiles.append(Tile("Custody detentions", count_text(n), "",
                          f"median {rate_text(hours, 1)} hours in custody"
                          if number(hours) is not None else "", w.label,
                          source="custody_detentions.csv"))
        blocks.append(chart_block(bars(
            "custody-suites", f"Custody detentions by suite, {w.label}", rows, "suite_code",
            "detentions", f"Detentions ({w.label})", "Custody suite", unit="detentions"),
            sna.place))
        blocks.append(period_table(sna.src, det, "suite_code", "detentions",
                                   "Custody detentions by suite", "Custody suite",
                                   source="custody_detentions.csv"))
    icv = sna.src.get("icv_visits", "period", "suite_code", "visits")
    if icv is not None and len(icv) and (w := sna.src.rolling(icv)):
        rows = only(icv, period=w.period)
        total = only(rows, suite_code="all")
        visits, quick = cell(total, "visits"), cell(total, "immediate_access_visits")
        offered, agreed = cell(total, "offered_rate"), cell(total, "agreed_rate")
        text = (f"Independent custody visitors made {spoken(visits, 'visits')} in the "
                f"{w.label}")
        if number(quick) is not None and number(visits) is not None:
            text += f"; at {spoken(quick, '')} they were let in immediately"
        text += "."
        if number(offered) is not None:
            text += (f" {_said_pct(offered)} of detainees in the cells were offered a "
                     "visit")
            text += (f", and {_said_pct(agreed)} of those offered agreed."
                     if number(agreed) is not None else ".")
        blocks.append(said(text, "icv_visits.csv"))
        tiles.append(Tile("Custody visits", count_text(visits), "",
                          f"{_pct_text(offered)} of detainees offered a visit"
                          if number(offered) is not None else "", w.label,
                          source="icv_visits.csv"))
        columns = [c for c in ("visits", "immediate_access_visits", "detainees_in_cells",
                               "offered", "agreed", "refused", "offered_rate", "agreed_rate")
                   if c in rows.columns]
        blocks.append(Table(
            f"Independent custody visits by suite, {w.label}",
            ("Custody suite", *(labels.column_label(None, c) for c in columns)),
            tuple((word("suite_code", r["suite_code"]),
                   *(_icv_text(r[c], c) for c in columns)) for r in rows.to_dict("records")),
            source="icv_visits.csv"))
        blocks.append(Paragraph("A share over no detainees has no figure and is shown "
                                "as –."))
    if not blocks:
        return None
    if tiles:
        blocks.insert(0, Headlines(tuple(tiles)))
    return Section("Custody and independent custody visiting", tuple(blocks), "custody")


def _icv_text(value: Any, column: str) -> str:
    if not column.endswith("_rate"):
        return count_text(value)
    if value is None or (not isinstance(value, str) and number(value) is None):
        return "–"  # nothing to divide by (no detainees): not a missing file
    return share_text(value)


def cohort_chapter(sna: Sna) -> Section | None:
    frame = _table(sna.src, "cohort", "factor", "persons_with_factor")
    if frame is None:
        return None
    s = _latest(sna.src, frame)
    if s is None:
        return None
    source = f"{_table_name(sna.src, 'cohort', 'factor', 'persons_with_factor')}.csv"
    blocks: list[Block] = [Paragraph(
        "The cohort: people under 25 who were suspects in a homicide, attempted murder, "
        "grievous bodily harm or serious wounding, linked across police, custody, "
        "children's social care and school records. A risk factor counts when it was "
        "recorded before the person's first such offence.")]
    subgroups = list(dict.fromkeys(s.rows["subgroup"].astype(str))) \
        if "subgroup" in s.rows.columns else ["all"]
    for subgroup in subgroups:
        rows = only(s.rows, subgroup=subgroup) if "subgroup" in s.rows.columns else s.rows
        persons = cell(rows, "persons")
        anyone = cell(only(rows, factor="any"), "persons_with_factor")
        factors = rows[rows["factor"].astype(str) != "any"]
        if subgroup == "all" and number(persons) is not None:
            def share(factor: str, rows: pd.DataFrame = rows) -> str:
                v = cell(only(rows, factor=factor), "share_with_factor")
                return f" ({_pct_text(v)})" if number(v) is not None else ""

            text = " ".join(f"The cohort {s.when}".split()) + \
                f" held {spoken(persons, 'people')}"
            if number(anyone) is not None:
                text += f"; {spoken(anyone, '')}{share('any')} had at least one " \
                        "risk factor before their first offence"
            shown = [(number(v), str(f)) for f, v in zip(
                factors["factor"], factors["persons_with_factor"], strict=True)
                if number(v) is not None]
            if shown and max(shown)[0]:
                v, f = max(shown)
                text += f". The most common was: {word('factor', f).lower()}, " \
                        f"{spoken(v, 'people')}{share(f)}"
            blocks.append(said(text + ".", source))
        title = word("subgroup", subgroup)
        chart = bars(f"cohort-{subgroup}", _titled(f"Risk factors before the first offence: "
                                                   f"{title.lower()}", s),
                     factors, "factor", "persons_with_factor", "People with the factor",
                     "Risk factor", unit="people", names=lambda f: word("factor", f))
        blocks.append(chart_block(chart, sna.place))
    columns = [c for c in ("persons_with_factor", "share_with_factor", "persons",
                           "avg_factors_per_person") if c in s.rows.columns]
    blocks.append(Table(
        _titled("Risk factors of the cohort", s),
        ("Group", "Risk factor", *(labels.column_label(None, c) if c != "persons_with_factor"
                                    else "People with the factor" for c in columns)),
        tuple((word("subgroup", r.get("subgroup", "all")), word("factor", r["factor"]),
               *(_cohort_text(r[c], c) for c in columns)) for r in s.rows.to_dict("records")),
        (False, False, *([True] * len(columns))), source=source))
    return Section("The cohort's risk factors", tuple(blocks), "cohort")


def _cohort_text(value: Any, column: str) -> str:
    if column.startswith("share"):
        return _pct_text(value)
    if column.startswith("avg"):
        return rate_text(value, 2)
    return count_text(value)


def forces_chapter(sna: Sna) -> Section | None:
    frame = _table(sna.src, "forces", "force_name", "measure", "rate_per_1000")
    if frame is None:
        return None
    s = _latest(sna.src, frame)
    if s is None:
        return None
    rows = s.rows
    ours = rows[rows["is_llr"].astype(str).isin(["True", "true", "1"])] \
        if "is_llr" in rows.columns else only(rows, force_name=FORCE)
    if not len(ours):
        return None
    measures = list(dict.fromkeys(ours["measure"].astype(str)))
    ew = "england_wales_rate_per_1000" if "england_wales_rate_per_1000" in rows.columns \
        else None
    source = f"{_table_name(sna.src, 'forces', 'force_name', 'measure', 'rate_per_1000')}.csv"
    sentences = []
    body = []
    for m in measures:
        r = only(ours, measure=m)
        rate, rank = cell(r, "rate_per_1000"), cell(r, "rank")
        of = cell(r, "forces_ranked")
        national = cell(r, ew) if ew else NOT_AVAILABLE
        if number(rate) is not None:
            noun = "recorded crimes" if m == "all_crime" else word("measure", m).lower()
            noun += "" if noun.endswith(("offences", "crimes")) else " offences"
            text = (f"{s.when[:1].upper()}{s.when[1:]} {FORCE} recorded "
                    f"{_force_rate(rate)} {noun} per 1,000 residents").strip()
            if number(national) is not None:
                text += f", against {_force_rate(national)} across England and Wales"
            if number(rank) is not None:
                text += f": the {_ordinal(int(number(rank)))} highest rate"
                text += f" of {count_text(of)} forces" if number(of) is not None else ""
            sentences.append(text + ".")
        body.append((word("measure", m), count_text(cell(r, "offences")), _force_rate(rate),
                     _force_rate(national), f"{count_text(rank)} of {count_text(of)}"
                     if number(rank) is not None and number(of) is not None
                     else count_text(rank)))
    blocks: list[Block] = []
    blocks += [said(text, source) for text in sentences]
    # All crime is ten times the rest and homicide a hundredth: both are in the table.
    drawn = [m for m in measures if m != "all_crime" and (number(cell(
        only(ours, measure=m), "rate_per_1000")) or 1) >= 0.1]
    if ew and drawn:
        measures = drawn
        blocks.append(chart_block(BarChart(
            "forces", _titled(f"{FORCE} and England and Wales: offences per 1,000 "
                              "residents", s),
            tuple(word("measure", m) for m in measures),
            (Series(FORCE, tuple(cell(only(ours, measure=m), "rate_per_1000")
                                 for m in measures)),
             Series("England and Wales", tuple(cell(only(ours, measure=m), ew)
                                               for m in measures))),
            "Offences per 1,000 residents", "Offence", unit="per 1,000 residents",
            decimals=2), FORCE))
    focus = "violence_with_injury" if "violence_with_injury" in measures else measures[0]
    forces = only(rows, measure=focus).assign(force_name=[
        f"{n} (LLR)" if str(n) == FORCE else n for n in only(rows, measure=focus)["force_name"]])
    if forces["force_name"].nunique() > 1:
        blocks.append(chart_block(bars(
            "forces-all", _titled(f"{word('measure', focus)} offences per 1,000 residents "
                                  "by police force", s), forces, "force_name",
            "rate_per_1000", "Offences per 1,000 residents", "Police force",
            unit="per 1,000 residents", decimals=2), FORCE))
    blocks.append(Table(
        _titled(f"{FORCE} against England and Wales", s),
        ("Offence", "Offences", "Rate per 1,000 residents",
         "England and Wales rate per 1,000", "Rank (1 = highest rate)"), tuple(body),
        source=source))
    blocks.append(Paragraph("Home Office police recorded crime for the 43 territorial forces; "
                            "rates use one population (mid-2024) for every year."))
    return Section("Leicestershire against England and Wales and other forces",
                   tuple(blocks), "forces")


def _force_rate(value: Any) -> str:
    """A rate per 1,000 with the decimals that keep a rare offence (homicide) above 0.00."""
    v = number(value)
    return rate_text(value, 4 if v is not None and 0 < abs(v) < 0.1 else 2)


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def about_chapter(sna: Sna, kinds: Sequence[str], reads: Mapping[str, Sequence[str]]
                  ) -> Section:
    blocks: list[Block] = [Paragraph(
        "Every figure in this profile is taken from the tables published with it (the CSV "
        "files and the workbook in the same folder), after disclosure control: nothing "
        "here can be more detailed than those tables. A chapter of the needs assessment "
        "whose table is not yet published to the Commissioner is left out.")]
    for kind in dict.fromkeys(kinds):
        try:
            rule = disclosure_rule(PARTNER, kind)
        except ValueError:
            continue
        if rule.suppress_to < rule.suppress_from:
            blocks.append(Paragraph(
                "Figures already published elsewhere (Home Office police recorded crime "
                "for every force) are shown as published, with no suppression."))
            continue
        rounding = (f", and every other count is rounded to the nearest {rule.round_to}"
                    if getattr(rule, "round_to", None) else "")
        what = "health" if "health" in kind else "police and council"
        blocks.append(Paragraph(
            f"{SUPPRESSED} (suppressed), {what} figures: counts of {rule.suppress_from} to "
            f"{rule.suppress_to} are withheld to protect the people involved, and so are "
            f"other figures from which one could be worked out{rounding}. Charts show them "
            "as a labelled gap, never as a bar."))
    blocks.append(Paragraph(
        f"{NOT_AVAILABLE} (not available): a partner file the figure needs was not received "
        "or was rejected; it is not a zero. Crimes are counted once, by the date the police "
        "recorded them, while recorded and not cancelled. Rates are per 1,000 residents "
        "(ONS mid-year population estimates)."))
    sources = about_sources(reads)
    if sources:
        blocks.append(Paragraph("Sources: " + "; ".join(sources) + "."))
    return Section("About these figures", tuple(blocks), "about")


# The SNA's chapters, in its order (seed 003, "Profile of Serious Violence" onwards).
CHAPTERS: tuple[Callable[[Sna], Section | None], ...] = (
    extent_chapter, nature_chapter, geography_chapter, timing_chapter, people_chapter,
    health_chapter, rasso_chapter, services_chapter, custody_chapter, cohort_chapter,
    forces_chapter,
)


def _place(src: Source) -> str:
    area = _table(src, "area", "area_name")
    if area is not None:
        row = _llr_row(area)
        if len(row):
            return str(row["area_name"].iloc[0])
    return LLR


def build_sna_profile(export: Any, built: Any) -> Document:
    """opcc's strategic needs assessment profile (`exports.publish.Export`, `Built`)."""
    src = Source(built.published, export.fy_quarter)
    owner = export.partner.owner
    sna = Sna(src, _place(src), owner)
    sections = [s for make in CHAPTERS if (s := make(sna)) is not None]
    kinds = [getattr(t, "kind", "police_council") for t in getattr(built, "tables", ())]
    sections.append(about_chapter(sna, kinds or ["police_council"], export.reads))
    quarter = quarter_words(export.fy_quarter)
    return Document(
        title=f"Serious violence strategic needs assessment profile, {quarter}",
        subtitle=(f"{sna.place}, for the {owner}: {quarter} ({export.fy_quarter}) and the "
                  "12 months to its end, following the chapters of the Violence Reduction "
                  "Network's Strategic Needs Assessment."),
        author=AUTHOR,
        sections=tuple(sections),
        subject=f"Strategic needs assessment profile for {owner}, {export.fy_quarter}",
        keywords=("serious violence", "strategic needs assessment", sna.place,
                  export.fy_quarter),
    )


__all__ = ["CHAPTERS", "TABLES", "build_sna_profile"]
