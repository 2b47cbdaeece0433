"""A CSP's locality profile, from the tables the partner receives, as published.

Every figure comes from `Built.published` — the same disclosure-controlled frames as the
CSVs — so a `[c]` stays `[c]`: it is said as "suppressed", drawn as a labelled gap, and
never stated, summed or compared. A section is built only from a table the partner
receives (and skipped otherwise), so the profile grows as `pub_` tables are added.
No counting here: a change is the published change column, and no share is worked out
from two counts. The reading, wording and chart helpers are in `exports.profiles.common`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd

from exports import labels
from exports.partners import disclosure_rule
from exports.profiles.charts import BarChart, HeatMap, LineChart, Series
from exports.profiles.common import (
    AUTHOR,
    KNIFE_MEASURES_SAID,
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
    csp_rows,
    hour,
    is_knife,
    largest,
    measure_name,
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


def place_name(src: Source, owner: str) -> str:
    """The area in a sentence: its district (or districts), else the partnership."""
    frame = src.get("sv_by_area", "area_level", "area_name")
    if frame is not None:
        names = list(dict.fromkeys(frame.loc[frame["area_level"] == "district", "area_name"]))
        if len(names) == 1:
            return str(names[0])
        if names:
            return ", ".join(names[:-1]) + " and " + names[-1]
    return owner



# ------------------------------------------------------------------------ sections


NO_CHANGE_SAID = ("The change on a year earlier is not available for these figures: the "
                  "tables do not yet hold the same 12 months a year before.")


def _tiles_said(tiles: list[Tile], sentences: list[Paragraph]) -> list[Block]:
    """The tiles, then their sentences; a change on a year earlier that no tile has is
    said once, not in every tile; the two knife measures are told apart."""
    if tiles and not any(number_in(t.change) for t in tiles):
        tiles = [Tile(t.label, t.value, "", t.rate, t.period, t.source) for t in tiles]
        sentences = [*sentences, Paragraph(NO_CHANGE_SAID)]
    if sum(is_knife(t.label) for t in tiles) >= 2:
        sentences = [*sentences, Paragraph(KNIFE_MEASURES_SAID)]
    return [Headlines(tuple(tiles)), *sentences]


def number_in(text: str) -> bool:
    return any(ch.isdigit() for ch in text) and "not available" not in text


def headline_section(ctx: Context) -> Section | None:
    """Headline tiles for the rolling 12 months of the export, and sentences on the same
    12 months: from pub_sv_headlines (with its published change on a year earlier) when
    the partner receives it, else from the tables that hold the same figures without
    it (with a sentence on the latest quarter, said to be that)."""
    tiles: list[Tile] = []
    sentences: list[Paragraph] = []
    frame = ctx.src.get("sv_headlines", "period", "measure", "offences")
    if frame is not None:
        frame = csp_rows(frame)
        window = ctx.src.rolling(frame)
        if window is None:
            return None
        earlier = year_earlier_label(window.label)
        for r in only(frame, period=window.period).to_dict("records"):
            what = measure_name(str(r["measure"]))
            change = r.get("change_on_year_earlier", NOT_AVAILABLE)
            tiles.append(Tile(what, count_text(r["offences"]), change_words(change, earlier),
                              rate_words(r.get("rate_per_1000", NOT_AVAILABLE),
                                         r["offences"]), window.label, "sv_headlines.csv"))
            sentences.append(said(change_sentence(what, ctx.place, r["offences"], change,
                                                  window.label), "sv_headlines.csv"))
    else:
        tiles, sentences = _headlines_from_tables(ctx)
    if not tiles:
        return None
    return Section("Headline figures", tuple(_tiles_said(tiles, sentences)), "headlines")


def _headlines_from_tables(ctx: Context) -> tuple[list[Tile], list[Paragraph]]:
    """Without pub_sv_headlines: the same measures from the tables that hold them, with
    no change on a year earlier (not in these tables)."""
    tiles: list[Tile] = []
    sentences: list[Paragraph] = []
    src = ctx.src
    area = src.get("sv_by_area", "period", "offences", "rate_per_1000")
    knife = src.get("sv_knife_and_domestic_abuse", "period", "measure", "offences")
    rasso = src.get("rasso_by_area", "period", "rasso_offences", "rate_per_1000")
    hate = src.get("hate_crime", "period", "offence_group", "offences", "rate_per_1000")

    def add(what: str, rows: pd.DataFrame, value: str, rate: str | None, table: str) -> None:
        w = src.rolling(rows)
        if w is None:
            return
        row = only(rows, period=w.period)
        n = cell(row, value)
        tiles.append(Tile(what, count_text(n), "change on a year earlier not available",
                          rate_words(cell(row, rate) if rate else NOT_AVAILABLE, n)
                          if rate else "", w.label, f"{table}.csv"))
        sentences.append(said(change_sentence(what, ctx.place, n, None, w.label),
                              f"{table}.csv"))
        if (text := _latest_quarter(src, what, ctx.place, rows, value)) is not None:
            sentences.append(said(text, f"{table}.csv"))

    if area is not None:
        add("Serious violence", csp_rows(area), "offences", "rate_per_1000", "sv_by_area")
    if knife is not None:
        for measure in ("knife_enabled_ho", "knife_or_sharp_object", "domestic_abuse",
                        "sexual_violence", "victim_under_25"):
            rows = only(knife, measure=measure)
            if len(rows):
                add(measure_name(measure), rows, "offences", None,
                    "sv_knife_and_domestic_abuse")
    if rasso is not None:
        add("Rape and serious sexual offences", csp_rows(rasso), "rasso_offences",
            "rate_per_1000", "rasso_by_area")
    if hate is not None:
        add("Hate crime", only(csp_rows(hate), offence_group="all"), "offences",
            "rate_per_1000", "hate_crime")
    return tiles, sentences


def _latest_quarter(src: Source, what: str, place: str, rows: pd.DataFrame,
                    value: str) -> str | None:
    """The export's quarter against the one before, when both are shown figures."""
    qs = src.quarters(rows)
    if len(qs) < 2:
        return None
    a, b = qs[-2], qs[-1]
    return quarter_sentence(what, place, (cell(only(rows, period=a.period), value), a.label),
                            (cell(only(rows, period=b.period), value), b.label))


MONTH_PARTS = ("knife_or_sharp_object_offences", "domestic_abuse_offences",
               "victim_under_25_offences")


YEAR_EARLIER = "offences_year_earlier"


def _with_year_earlier(frame: pd.DataFrame) -> tuple[list[str], tuple[Any, ...]]:
    """The months of the table, preceded by the same months a year earlier where the
    table has them (its `offences_year_earlier`; months before the data, `[x]`, left
    out at the start), and all serious violence for each: up to 24 months."""
    months = [labels.month_label(m) for m in frame["month"]]
    values = tuple(frame["offences"])
    if YEAR_EARLIER not in frame.columns:
        return months, values
    earlier = [(labels.month_label(pd.Timestamp(m) - pd.DateOffset(years=1)), v)
               for m, v in zip(frame["month"], frame[YEAR_EARLIER], strict=True)]
    while earlier and earlier[0][1] == NOT_AVAILABLE:
        earlier.pop(0)
    return [m for m, _ in earlier] + months, tuple(v for _, v in earlier) + values


def trend_section(ctx: Context) -> Section | None:
    frame = ctx.src.get("sv_by_month", "month", "offences")
    if frame is None or not len(frame):
        return None
    months = [labels.month_label(m) for m in frame["month"]]
    short = tuple(short_month(m) for m in months)
    span = month_span(months)
    long_months, long_values = _with_year_earlier(frame)
    long_span = month_span(long_months)
    blocks: list[Block] = [chart_block(LineChart(
        "trend-all", f"Serious violence offences by month, {long_span}",
        tuple(short_month(m) for m in long_months),
        (Series("All serious violence", long_values),),
        "Offences per month", "Month recorded"), ctx.place)]
    parts = [c for c in MONTH_PARTS if c in frame.columns]
    drawn = [c for c in parts if any(number(v) for v in frame[c])]
    hidden = [c for c in parts if c not in drawn]
    if drawn:
        note = ""
        if hidden:
            note = (f"Not drawn, because every month for {ctx.place} is 0 or below 5 and "
                    "withheld ([c]): "
                    + "; ".join(labels.column_label(None, c) for c in hidden) + ".")
        blocks.append(chart_block(LineChart(
            "trend-parts", f"Knife, domestic abuse and young victims by month, {span}", short,
            tuple(Series(labels.column_label(None, c), tuple(frame[c])) for c in drawn),
            "Offences per month", "Month recorded"), ctx.place, note))
    elif hidden and len(months) > 1:
        blocks.append(Paragraph(
            f"Knife, domestic abuse and young victims by month are not drawn: every "
            f"monthly figure for {ctx.place} is 0 or below 5 and withheld ([c])."))
    columns = ["offences", *parts] + ([YEAR_EARLIER] if YEAR_EARLIER in frame.columns else [])
    header = ("Month", *(labels.column_label(None, c) for c in columns))
    rows = tuple((m, *(count_text(v) for v in r)) for m, r in zip(
        months, frame[columns].itertuples(index=False, name=None), strict=True))
    blocks.append(Table(f"Serious violence offences by month, {span}", header, rows,
                        source="sv_by_month.csv"))
    if len(long_months) < 24:
        blocks.append(Paragraph(
            f"The trend covers {long_span}: the months before it are not available "
            "(before the data begin, or drawing on a partner file not received)."))
    return Section("Trend", tuple(blocks), "trend")


def nature_section(ctx: Context) -> Section | None:
    return breakdown(ctx, "sv_by_offence_group", "sv_group", "offence-groups",
                     "Offence groups", "serious violence group",
                     largest("offence group", ctx.place, "sv_group"))


def location_section(ctx: Context) -> Section | None:
    return breakdown(ctx, "sv_by_location", "location_type", "locations", "Locations",
                     "type of location", largest("type of location", ctx.place,
                                                 "location_type"))


def knife_section(ctx: Context) -> Section | None:
    frame = ctx.src.get("sv_knife_and_domestic_abuse", "period", "measure", "offences")
    if frame is None:
        return None
    w = ctx.src.rolling(frame)
    if w is None:
        return None
    rows = only(frame, period=w.period)
    chart = bars("knife-da", f"Serious violence by kind, {w.label}", rows, "measure",
                 "offences", f"Offences ({w.label})", "Kind of serious violence", sort=False,
                 names=measure_name)
    table = period_table(ctx.src, frame, "measure", "offences",
                         "Serious violence involving knives, domestic abuse and young victims",
                         "Measure", order=None, source="sv_knife_and_domestic_abuse.csv")
    table = Table(table.caption, table.header, tuple(
        (measure_name(m), *r[1:]) for m, r in zip(
            dict.fromkeys(frame["measure"].astype(str)), table.rows, strict=True)),
        source=table.source)
    blocks: list[Block] = [Paragraph(
        "An offence can be counted in several of these rows (a domestic abuse offence with "
        "a knife counts in both), so they do not add up.")]
    if sum(is_knife(measure_name(m)) for m in set(rows["measure"].astype(str))) >= 2 \
            and ctx.src.get("sv_headlines", "measure") is None:  # else said in the headlines
        blocks.append(Paragraph(KNIFE_MEASURES_SAID))
    return Section("Knives, domestic abuse and young victims",
                   (*blocks, chart_block(chart, ctx.place), table), "knife-da")


def geography_section(ctx: Context) -> Section | None:
    blocks: list[Block] = []
    area = ctx.src.get("sv_by_area", "period", "area_level", "area_name", "offences",
                       "rate_per_1000")
    if area is not None:
        districts = area[area["area_level"] == "district"]
        if districts["area_name"].nunique() > 1:
            blocks.append(_area_table(ctx, area))
    npa = ctx.src.get("sv_by_neighbourhood", "npa_name", "offences", "rate_per_1000")
    if npa is not None:
        w = ctx.src.rolling(npa) if "period" in npa.columns else None
        rows = only(npa, period=w.period) if w else npa
        rows = rows[rows["npa_name"].astype(str) != "all"]
        label = w.label if w else ""
        blocks.append(Paragraph(
            "Rates per 1,000 residents let neighbourhoods of different sizes be compared; "
            "a rate over a suppressed count is suppressed too."))
        blocks.append(chart_block(bars(
            "neighbourhoods", f"Serious violence per 1,000 residents by neighbourhood "
            f"policing area, {label}".rstrip(", "), rows, "npa_name", "rate_per_1000",
            "Offences per 1,000 residents", "Neighbourhood policing area",
            unit="per 1,000 residents", decimals=2), ctx.place))
        header = ("Neighbourhood policing area", "Offences", "Population",
                  "Rate per 1,000 residents")
        blocks.append(Table(
            f"Serious violence by neighbourhood policing area, {label}".rstrip(", "), header,
            tuple((str(r["npa_name"]), count_text(r["offences"]),
                   count_text(r.get("population", NOT_AVAILABLE)),
                   rate_text(r["rate_per_1000"])) for r in rows.to_dict("records")),
            source="sv_by_neighbourhood.csv"))
    if not blocks:
        return None
    return Section("Geography", tuple(blocks), "geography")


def _area_table(ctx: Context, area: pd.DataFrame) -> Table:
    rows = []
    for w in ctx.src.windows(area):
        for r in only(area, period=w.period).to_dict("records"):
            rows.append((w.label, str(r["area_name"]), count_text(r["offences"]),
                         count_text(r.get("population", NOT_AVAILABLE)),
                         rate_text(r["rate_per_1000"])))
    return Table("Serious violence by district", ("Period", "Area", "Offences", "Population",
                                                  "Rate per 1,000 residents"), tuple(rows),
                 (False, False, True, True, True), source="sv_by_area.csv")


def timing_section(ctx: Context, source: str = "sv_by_weekday_hour.csv") -> Section | None:
    frame = ctx.src.get("sv_by_weekday_hour", "weekday", "offences")
    if frame is None:
        return None
    column = next((c for c in frame.columns if "hour" in c or "time" in c), None)
    if column is None:
        return None
    w = ctx.src.rolling(frame) if "period" in frame.columns else None
    rows = only(frame, period=w.period) if w else frame
    # the totals, and offences with no recorded time, are not cells of the grid
    rows = rows[~rows["weekday"].astype(str).isin(("all", "unknown"))
                & ~rows[column].astype(str).isin(("all", "unknown"))]
    days = list(dict.fromkeys(rows["weekday"]))
    hours = list(dict.fromkeys(rows[column].astype(str)))
    by_cell = Cells(rows, "weekday", column)
    grid = tuple(tuple(by_cell.get("offences", weekday=d, **{column: h}) for h in hours)
                 for d in days)
    day_names = tuple(weekday(d) for d in days)
    label = f", {w.label}" if w else ""
    hour_names = tuple(hour(h) for h in hours)
    chart = HeatMap("weekday-hour", f"Serious violence offences by day and time{label}",
                    day_names, hour_names, grid, "Day of the week",
                    "Time of day (hour the offence began)")
    # hours down, days across: 7 columns fit a printed page, 24 would not
    table = Table(f"Serious violence offences by hour and day{label}", ("Hour", *day_names),
                  tuple((h, *(count_text(values[i]) for values in grid))
                        for i, h in enumerate(hour_names)),
                  source=source)
    return Section("Timing", (
        Paragraph("When offences began, by day of the week and time of day (the hour the "
                  "police recorded the offence as starting)."), chart_block(chart, ctx.place),
        table), "timing")


def people_section(ctx: Context) -> Section | None:
    blocks: list[Block] = []
    ages = ctx.src.get("sv_by_victim_age_band", "period", "victim_age_band", "offences")
    if ages is not None and (w := ctx.src.rolling(ages)):
        rows = only(ages, period=w.period)
        blocks.append(chart_block(bars(
            "victim-age", f"Serious violence offences by age of the youngest victim, "
            f"{w.label}", rows, "victim_age_band", "offences", f"Offences ({w.label})",
            "Age of victim (years)", sort=False, horizontal=False), ctx.place))
        blocks.append(period_table(ctx.src, ages, "victim_age_band", "offences",
                                   "Serious violence offences by victim age band",
                                   "Victim age band", source="sv_by_victim_age_band.csv"))
    people = ctx.src.get("sv_people_by_age_sex", "role", "age_band", "sex", "persons")
    if people is not None:
        w = ctx.src.rolling(people) if "period" in people.columns else None
        rows = only(people, period=w.period) if w else people
        label = f", {w.label}" if w else ""
        for role in dict.fromkeys(rows["role"]):
            part = rows[(rows["role"] == role) & (rows["age_band"].astype(str) != "all")]
            sexes = [s for s in dict.fromkeys(part["sex"].astype(str)) if s != "all"]
            bands = list(dict.fromkeys(part["age_band"].astype(str)))
            by_cell = Cells(part, "age_band", "sex")
            series = tuple(Series(str(labels.value_label("sex", s)).capitalize(), tuple(
                by_cell.get("persons", age_band=b, sex=s) for b in bands))
                for s in sexes)
            noun = f"{role}s" if not str(role).endswith("s") else str(role)
            blocks.append(chart_block(BarChart(
                f"people-{role}", f"{noun.capitalize()} of serious violence by age and "
                f"sex{label}", tuple(str(labels.value_label("age_band", b)) for b in bands),
                series, "People", "Age band (years)", unit="people", horizontal=False),
                ctx.place))
            blocks.append(Table(f"{noun.capitalize()} of serious violence by age and "
                                f"sex{label}", ("Age band", *(s.name for s in series)),
                                tuple((str(labels.value_label("age_band", b)),
                                       *(count_text(s.values[i]) for s in series))
                                      for i, b in enumerate(bands)),
                                source="sv_people_by_age_sex.csv"))
    if not blocks:
        return None
    return Section("Victims and suspects", tuple(blocks), "people")


def rasso_section(ctx: Context) -> Section | None:
    frame = ctx.src.get("rasso_by_area", "period", "rasso_offences")
    if frame is None:
        return None
    rows = csp_rows(frame)
    columns = [c for c in ("rasso_offences", "rapes", "rapes_charged", "charge_rate",
                           "rapes_victim_not_supporting", "rapes_under_investigation",
                           "rate_per_1000") if c in rows.columns]
    windows = ctx.src.windows(rows)
    by_period = Cells(rows, "period")
    table = Table("Rape and serious sexual offences", ("Measure", *(w.label for w in windows)),
                  tuple((labels.column_label(None, c), *(
                      cell_text(by_period.get(c, period=w.period), c) for w in windows))
                      for c in columns), source="rasso_by_area.csv")
    blocks: list[Block] = []
    w = ctx.src.rolling(rows)
    if w is None:
        return None
    row = only(rows, period=w.period)
    rapes, charged = cell(row, "rapes"), cell(row, "charge_rate")
    if number(rapes) is not None:
        text = f"In the {w.label}, {spoken(rapes, 'rapes')} were recorded in {ctx.place}"
        text += (f"; {share_text(charged)} of them were charged or summonsed."
                 if number(charged) is not None else
                 "; the charge rate is suppressed." if is_suppressed(charged) else ".")
        blocks.append(said(text, "rasso_by_area.csv"))
    blocks.append(table)
    return Section("Rape and serious sexual offences", tuple(blocks), "rasso")


def hate_section(ctx: Context) -> Section | None:
    frame = ctx.src.get("hate_crime", "period", "offence_group", "offences")
    if frame is None:
        return None
    rows = csp_rows(frame)
    w = ctx.src.rolling(rows)
    if w is None:
        return None
    chart = bars("hate-crime", f"Hate crime by offence group, {w.label}",
                 only(rows, period=w.period), "offence_group", "offences",
                 f"Offences ({w.label})", "Offence group")
    table = period_table(ctx.src, rows, "offence_group", "offences", "Hate crime by offence "
                         "group", "Offence group", source="hate_crime.csv")
    return Section("Hate crime", (chart_block(chart, ctx.place), table), "hate-crime")


def about_section(ctx: Context, reads: Mapping[str, Sequence[str]]) -> Section:
    rule = disclosure_rule("csp", "police_council")
    sources = about_sources(reads)
    blocks: list[Block] = [
        Paragraph("Every figure in this profile is taken from the tables published with it "
                  "(the CSV files and the workbook in the same folder), after disclosure "
                  "control: nothing here can be more detailed than those tables."),
        Paragraph(f"{SUPPRESSED} (suppressed): counts of {rule.suppress_from} to "
                  f"{rule.suppress_to} are withheld to protect the people involved, and so "
                  "are other figures from which one could be worked out. Charts show them "
                  f"as a labelled gap, never as a bar. {NOT_AVAILABLE} (not available): a "
                  "partner file the figure needs was not received or was rejected; it is "
                  "not a zero."),
        Paragraph("Crimes are counted once, by the date the police recorded them, while "
                  "recorded and not cancelled. Rates are per 1,000 residents (ONS mid-year "
                  "population estimates)."),
    ]
    if sources:
        blocks.append(Paragraph("Sources: " + "; ".join(sources) + "."))
    return Section("About these figures", tuple(blocks), "about")


SECTIONS: tuple[Callable[[Context], Section | None], ...] = (
    headline_section, trend_section, nature_section, knife_section, location_section,
    geography_section, timing_section, people_section, rasso_section, hate_section,
)


def build_csp_profile(export: Any, built: Any) -> Document:
    """The locality profile of a CSP partner's export (`exports.publish.Export`, `Built`)."""
    src = Source(built.published, export.fy_quarter)
    owner = export.partner.owner
    ctx = Context(src, place_name(src, owner), owner)
    sections = [s for make in SECTIONS if (s := make(ctx)) is not None]
    sections.append(about_section(ctx, export.reads))
    quarter = quarter_words(export.fy_quarter)
    return Document(
        title=f"{owner}: serious violence locality profile, {quarter}",
        subtitle=(f"Serious violence, rape and serious sexual offences and hate crime in "
                  f"{ctx.place}: {quarter} ({export.fy_quarter}), and the 12 months to its "
                  "end."),
        author=AUTHOR,
        sections=tuple(sections),
        subject=f"Locality profile for {owner}, {export.fy_quarter}",
        keywords=("serious violence", "locality profile", ctx.place, export.fy_quarter),
    )


