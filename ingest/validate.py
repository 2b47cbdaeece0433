"""The one validator: the spec's rule table applied to any tabular extract.

Every entity is checked by the same code, driven by its columns in `ingest/specs.py`.
Checks are built as SQL over a staged table of text (one `VARCHAR` column per spec
column, blanks already NULL) so that a file of millions of rows is validated by DuckDB in
a few vectorised passes, never a Python loop per cell.

Spec, Validation rules: a bad row gives ONE quarantine row — the first rule that fails in
the order of the table below, then the first failing column in file order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ingest.csvtext import MAX_FIELD_CHARS, PROBLEM_COLUMN
from ingest.specs import RAW_IDENTIFIER_COLUMNS, Column, Entity
from vrn import reference
from vrn.periods import Period

RULES: tuple[str, ...] = (
    # Not a rule of the spec's table: a row that could not be read as sent (a row of the
    # wrong width, a broken quote: `ingest.csvtext`) or a field far longer than any value
    # of its column. Judged first: such a row's values cannot be judged by the rules.
    "bad_value",
    "missing_value",
    "unknown_code",
    "bad_date",
    "impossible_date",
    "out_of_period",
    "bad_number",
    "duplicate_key",
    "sum_mismatch",
)

# Placing dates that may lie in an earlier period, never a later one (spec: "outcome_date
# may fall in an earlier period but not a later one").
EARLIER_PERIODS_ALLOWED = frozenset({"outcome_date"})

# sum_mismatch, as data: (total column, parts) — spec, opcc: offered + not offered on
# advice + unavailable + asleep/observed = detainees in cells; agreed + refused = offered.
SUMS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "icv_visits": (
        ("detainees_in_cells", ("offered", "not_offered_on_advice", "unavailable",
                                "asleep_observed")),
        ("offered", ("agreed", "refused")),
    ),
}

REFERENCE_LISTS = {
    # ref name -> (loader, what the list is, where it lives)
    "offence_codes": (reference.offence_codes, "a Home Office offence code",
                      "the offence code list (ref_offence_codes)"),
    "outcome_codes": (reference.outcome_codes, "a Home Office outcome type",
                      "the outcome type list (ref_outcome_types)"),
    "beat_codes": (reference.beat_codes, "a police beat", "the beat list (ref_beats)"),
}

PATTERN_MEANING = {
    "lad_code": "an ONS district or unitary authority code (E0 and 7 digits, e.g. E06000016)",
    "lsoa21_code": "an LSOA 2021 code (E01 and 6 digits)",
    "postcode_district": "the outward part of a postcode in capitals, e.g. LE3",
    "primary_diagnosis": "an ICD-10 code (a letter, two digits, optionally . and a digit, "
                         "e.g. S01.8)",
    "external_cause": "an ICD-10 assault code from X85 to Y09, written like X99, X99.1 or X991",
}

# Date styles (spec, General rules): one per file.
STYLES = {
    "iso": {
        "date": (r"\d{4}-\d{2}-\d{2}", "%Y-%m-%d", "YYYY-MM-DD"),
        "datetime": (r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})?",
                     ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"), "YYYY-MM-DD HH:MM[:SS]"),
    },
    "uk": {
        "date": (r"\d{2}/\d{2}/\d{4}", "%d/%m/%Y", "DD/MM/YYYY"),
        "datetime": (r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}(:\d{2})?",
                     ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M"), "DD/MM/YYYY HH:MM[:SS]"),
    },
}
DATE_KINDS = ("date", "datetime")
INT_RE = r"\d{1,9}"
NUMBER_RE = r"[+-]?(\d+(\.\d*)?|\.\d+)"


# --- header --------------------------------------------------------------------------


def raw_identifier_problem(header: Sequence[str]) -> str | None:
    """Spec: a column named like a raw identifier rejects the whole file. Checked before
    the header so that the reason given is the privacy one."""
    found = [h for h in header if h.strip().casefold() in RAW_IDENTIFIER_COLUMNS]
    if not found:
        return None
    names = ", ".join(repr(h.strip()) for h in found)
    return (
        f"the file has raw identifier column(s) {names}: names, addresses, dates of birth "
        "and similar are never sent (use the tok_* keyed-hash tokens); the whole file is "
        "rejected and nothing was loaded"
    )


def header_problem(header: Sequence[str], expected: Sequence[str]) -> str | None:
    """Spec: the header equals the listed columns in order (case-sensitive, no extras)."""
    header, expected = list(header), list(expected)
    if header == expected:
        return None
    missing = [c for c in expected if c not in header]
    extra = [c for c in header if c not in expected]
    parts = []
    if missing:
        parts.append(f"missing {', '.join(missing)}")
    if extra:
        parts.append(f"unexpected {', '.join(repr(c) for c in extra)}")
    if not parts:
        first = next(i for i, (a, b) in enumerate(zip(header, expected, strict=False)) if a != b)
        parts.append(
            f"column {first + 1} is {header[first]!r} where {expected[first]!r} was expected "
            "(columns out of order or repeated)"
        )
    return (
        f"the header does not match the spec ({'; '.join(parts)}); expected exactly: "
        f"{', '.join(expected)}. The whole file is rejected and nothing was loaded"
    )


# --- SQL helpers ---------------------------------------------------------------------


def lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def parsed(name: str) -> str:
    return q(f"{name}__p")


def quoted_value(col: str) -> str:
    """SQL giving `'value'` for the message (the value as the partner wrote it)."""
    return f"('''' || {q(col)} || '''')"


def in_list(values: Sequence[str]) -> str:
    return "(" + ", ".join(lit(v) for v in values) + ")"


def detect_style_sql(table: str, columns: Sequence[Column], per_file: bool = False
                     ) -> str | None:
    """One query counting ISO-looking and UK-looking values over every date column (of
    each file, by `__file`, when `per_file`: several files staged together)."""
    dated = [c for c in columns if c.kind in DATE_KINDS]
    if not dated:
        return None
    iso = " + ".join(
        f"count(*) FILTER (WHERE regexp_matches({q(c.name)}, '^\\d{{4}}-'))" for c in dated
    )
    uk = " + ".join(
        f"count(*) FILTER (WHERE regexp_matches({q(c.name)}, '^\\d{{1,2}}/'))" for c in dated
    )
    if per_file:
        return f"SELECT __file, {iso} AS iso, {uk} AS uk FROM {table} GROUP BY __file"
    return f"SELECT {iso} AS iso, {uk} AS uk FROM {table}"


def choose_style(iso: int, uk: int) -> str:
    """The file's style is the one most of its dates are written in (a few stray dates in
    the other style are then each a bad_date, not the whole file)."""
    return "uk" if uk > iso else "iso"


def parse_sql(col: Column, style: str) -> str | None:
    """SQL parsing a column's text into its type; NULL when it does not parse."""
    v = q(col.name)
    if col.kind == "date":
        shape, fmt, _ = STYLES[style]["date"]
        return (f"CASE WHEN regexp_full_match({v}, {lit(shape)}) "
                f"THEN CAST(try_strptime({v}, {lit(fmt)}) AS DATE) END")
    if col.kind == "datetime":
        shape, fmts, _ = STYLES[style]["datetime"]
        fmt_list = "[" + ", ".join(lit(f) for f in fmts) + "]"
        return (f"CASE WHEN regexp_full_match({v}, {lit(shape)}) "
                f"THEN try_strptime({v}, {fmt_list}) END")
    if col.kind == "int":
        return f"CASE WHEN regexp_full_match({v}, {lit(INT_RE)}) THEN CAST({v} AS INTEGER) END"
    if col.kind == "number":
        return f"CASE WHEN regexp_full_match({v}, {lit(NUMBER_RE)}) THEN CAST({v} AS DOUBLE) END"
    return None


def _key_columns(entity: Entity) -> list[Column]:
    return [next(c for c in entity.columns if c.name == name) for name in entity.key]


def key_sql(entity: Entity) -> str:
    """A parsed row's key as one text (dates as YYYY-MM-DD, so a key compares across
    files written in different date styles); NULL when any part is blank or unparsed."""
    return " || chr(31) || ".join(
        f"strftime({_key_value(col)}, '%Y-%m-%d')" if col.kind == "date" else _key_value(col)
        for col in _key_columns(entity))


def held_keys_sql(entity: Entity, table: str, file_name: str | None, la_code: str | None,
                  keys: str) -> str:
    """Of the keys `keys` lists (`file_keys_sql`: the new file's own), those held by
    another current file of this entity (and council) in the warehouse: a key already
    held by another period's file is a duplicate too. Only those, not every key held:
    the look-up is one scan of the table, where grouping every held key and writing them
    all out cost several times as much for every file loaded. The table's key columns
    are joined as they are stored (text, dates), part by part, not made into one text per
    row of the table (half the time of a police file's look-up). `file_name` None: the
    keys are those of files the warehouse holds no version of (`ingest.load.ingest_batch`),
    so every current file holding one is another file."""
    on = " AND ".join(f"t.{q(name)} = k.__k{i}" for i, name in enumerate(entity.key))
    others = [] if file_name is None else [f"t.file_name <> {lit(file_name)}"]
    if la_code is not None:
        others.append(f"t.la_code = {lit(la_code)}")
    where = " AND ".join(others) or "true"
    return (f"SELECT k.key_text, min(t.file_name) AS file_name FROM {table} AS t "
            f"JOIN {keys} AS k ON {on} WHERE {where} GROUP BY 1")


def file_keys_sql(entity: Entity, style: str, staged: str) -> str:
    """The staged file's keys (`key_text`; blank or unparsed keys left out), with their
    parts as the raw table stores them (`__k0`, `__k1`, …), as `held_keys_sql` looks
    them up. Not made distinct: a key a file repeats is rare, and `held_keys_sql`
    groups its answer by key, so the answer is the same without grouping every key of
    the file first (a fifth of a police file's look-up)."""
    parts = "".join(f", {_key_value(col)} AS __k{i}"
                    for i, col in enumerate(_key_columns(entity)))
    return (f"SELECT __key AS key_text{parts} FROM "
            f"({_parsed_rows(entity, style, staged)}) WHERE __key IS NOT NULL")


# --- the checks ----------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """One way a row can fail: SQL over the parsed table for the test, the value to
    quarantine and the plain-English reason."""

    rule: str
    column: str
    position: int  # column index in file order
    fails: str
    bad_value: str
    reason: str


@dataclass(frozen=True)
class PeriodSQL:
    """A file's period in the checks' SQL: literals when one file is judged, its rows'
    columns (`FILE_PERIOD`) when several files are judged in one query."""

    start: str  # DATE: the first day
    end: str  # DATE: the last day
    after: str  # DATE: the day after the last
    label: str  # text: 2023-24Q1, 2023-24, …
    start_text: str  # text: the first day as YYYY-MM-DD
    end_text: str  # text: the last day

    @classmethod
    def of(cls, period: Period) -> PeriodSQL:
        start, end = period.start.isoformat(), period.end.isoformat()
        return cls(f"DATE {lit(start)}", f"DATE {lit(end)}",
                   f"DATE {lit(period.end_exclusive.isoformat())}", lit(period.label),
                   lit(start), lit(end))

    def as_columns(self) -> str:
        """This period as the columns `FILE_PERIOD` names (a file's rows, judged with
        other files')."""
        return (f"{self.start} AS __period_start, {self.end} AS __period_end, "
                f"{self.after} AS __period_after, {self.label} AS __period_label")


FILE_PERIOD = PeriodSQL("__period_start", "__period_end", "__period_after", "__period_label",
                        "CAST(__period_start AS VARCHAR)", "CAST(__period_end AS VARCHAR)")


def _checks_bad_value(entity: Entity) -> list[Check]:
    problem = q(PROBLEM_COLUMN)
    longest = f" characters long; no value of this column is longer than {MAX_FIELD_CHARS:,}"
    row = Check("bad_value", "", -1, f"{problem} IS NOT NULL", "NULL", problem)
    return [row, *(
        Check("bad_value", c.name, i, f"length({q(c.name)}) > {MAX_FIELD_CHARS}",
              f"left({q(c.name)}, 60) || '…'",
              f"{lit(c.name + ' is ')} || length({q(c.name)}) || "
              f"{lit(longest)}")
        for i, c in enumerate(entity.columns))]


def _checks_missing(entity: Entity) -> list[Check]:
    return [
        Check("missing_value", c.name, i, f"{q(c.name)} IS NULL", "NULL",
              lit(f"{c.name} is blank; the spec requires a value in this column"))
        for i, c in enumerate(entity.columns) if not c.optional
    ]


def _checks_unknown(entity: Entity) -> list[Check]:
    out = []
    for i, c in enumerate(entity.columns):
        v = q(c.name)
        shown = quoted_value(c.name)
        if c.kind == "flag":
            out.append(Check("unknown_code", c.name, i, f"{v} NOT IN ('Y', 'N')", v,
                             f"{lit(c.name + ' ')} || {shown} || "
                             f"{lit(' is not Y or N (leave it blank when unknown)')}"))
        elif c.kind == "code" and c.ref:
            loader, what, where = REFERENCE_LISTS[c.ref]
            out.append(Check("unknown_code", c.name, i, f"{v} NOT IN {in_list(sorted(loader()))}",
                             v, f"{lit(c.name + ' ')} || {shown} || "
                             f"{lit(f' is not {what} in {where}')}"))
        elif c.kind == "code":
            assert c.values is not None
            out.append(Check("unknown_code", c.name, i, f"{v} NOT IN {in_list(c.values)}", v,
                             f"{lit(c.name + ' ')} || {shown} || "
                             f"{lit(' is not one of: ' + ', '.join(c.values))}"))
        elif c.kind == "pattern":
            assert c.pattern is not None
            out.append(Check("unknown_code", c.name, i,
                             f"NOT regexp_matches({v}, {lit(c.pattern)})", v,
                             f"{lit(c.name + ' ')} || {shown} || "
                             f"{lit(' is not ' + PATTERN_MEANING[c.name])}"))
        elif c.kind == "codes":
            assert c.values is not None
            # `;`-separated categories; surrounding spaces around a part are forgiven, an
            # empty part (`a;;b`) is not a category.
            unknown = (f"list_filter(string_split({v}, ';'), "
                       f"lambda x: trim(x) NOT IN {in_list(c.values)})")
            out.append(Check("unknown_code", c.name, i, f"len({unknown}) > 0", v,
                             f"{lit(c.name + ' ')} || {shown} || {lit(' has ')} || "
                             f"'''' || trim({unknown}[1]) || '''' || "
                             + lit(f", not one of: {', '.join(c.values)} (separated by ;)")))
    return out


def _checks_bad_date(entity: Entity, style: str) -> list[Check]:
    out = []
    for i, c in enumerate(entity.columns):
        if c.kind not in DATE_KINDS:
            continue
        shape, _, shown_style = STYLES[style][c.kind]
        v = q(c.name)
        what = "a date" if c.kind == "date" else "a date and time"
        not_in_style = f" is not {what} in this file's style {shown_style}"
        reason = (
            f"{lit(c.name + ' ')} || {quoted_value(c.name)} || CASE "
            f"WHEN regexp_full_match({v}, {lit(shape)}) THEN {lit(' is not a calendar date')} "
            f"ELSE {lit(not_in_style)} END"
        )
        out.append(Check("bad_date", c.name, i, f"{v} IS NOT NULL AND {parsed(c.name)} IS NULL",
                         v, reason))
    return out


# The period checks' words, around the period's label and days (`PeriodSQL`).
_AFTER_THE_END = lit(" is after the end of the file's period ")
_NOT_THE_PERIOD = lit(" is not the file's period ")
_OUTSIDE_THE_PERIOD = lit(" is outside the file's period ")


def _checks_impossible(entity: Entity, period: PeriodSQL) -> list[Check]:
    pos = {c.name: i for i, c in enumerate(entity.columns)}
    kinds = {c.name: c.kind for c in entity.columns}
    out = []
    for pair in entity.date_pairs:
        s, e = pair.start, pair.end
        # Two datetimes compare as instants; anything involving a date compares days.
        both_datetimes = kinds[s] == kinds[e] == "datetime"
        a = parsed(s) if both_datetimes else f"CAST({parsed(s)} AS DATE)"
        b = parsed(e) if both_datetimes else f"CAST({parsed(e)} AS DATE)"
        out.append(Check("impossible_date", e, pos[e], f"{b} < {a}", q(e),
                         f"{lit(e + ' ')} || {q(e)} || {lit(' is before ' + s + ' ')} || {q(s)}"))
    for pair in entity.not_after:
        a, b = pair.start, pair.end
        out.append(Check(
            "impossible_date", a, pos[a],
            f"CAST({parsed(a)} AS DATE) > CAST({parsed(b)} AS DATE)", q(a),
            f"{lit(a + ' ')} || {q(a)} || {lit(' is on a later day than ' + b + ' ')} || {q(b)}",
        ))
    for name in entity.not_after_period_end:
        out.append(Check(
            "impossible_date", name, pos[name],
            f"CAST({parsed(name)} AS DATE) > {period.end}", q(name),
            f"{lit(name + ' ')} || {q(name)} || "
            f"{_AFTER_THE_END} || "
            f"{period.label} || ' (' || {period.end_text} || ')'",
        ))
    return sorted(out, key=lambda c: c.position)


def _checks_out_of_period(entity: Entity, period: PeriodSQL) -> list[Check]:
    name = entity.placing_date
    if name is None:
        return []
    col = next(c for c in entity.columns if c.name == name)
    i = entity.columns.index(col)
    span = f"{period.label} || ' (' || {period.start_text} || ' to ' || {period.end_text} || ')'"
    if col.kind not in DATE_KINDS:
        # academic_year of absence rows, financial_year of funding rows: the label itself.
        return [Check("out_of_period", name, i, f"{q(name)} <> {period.label}", q(name),
                      f"{lit(name + ' ')} || {quoted_value(name)} || "
                      f"{_NOT_THE_PERIOD} || {period.label}")]
    day = f"CAST({parsed(name)} AS DATE)"
    if name in EARLIER_PERIODS_ALLOWED:
        return [Check("out_of_period", name, i, f"{day} >= {period.after}", q(name),
                      f"{lit(name + ' ')} || {q(name)} || "
                      f"{_AFTER_THE_END} || "
                      f"{span} || {lit('; it may lie in an earlier period but not a later one')}")]
    return [Check("out_of_period", name, i,
                  f"{day} < {period.start} OR {day} >= {period.after}", q(name),
                  f"{lit(name + ' ')} || {q(name)} || "
                  f"{_OUTSIDE_THE_PERIOD} || {span}")]


def _checks_bad_number(entity: Entity) -> list[Check]:
    out = []
    for i, c in enumerate(entity.columns):
        v, p = q(c.name), parsed(c.name)
        if c.kind == "int":
            lo = c.min if c.min is not None else 0
            rng = f"from {lo} to {c.max}" if c.max is not None else f"of {lo} or more"
            fails = f"{v} IS NOT NULL AND ({p} IS NULL OR {p} < {lo}"
            fails += f" OR {p} > {c.max})" if c.max is not None else ")"
            out.append(Check("bad_number", c.name, i, fails, v,
                             f"{lit(c.name + ' ')} || {quoted_value(c.name)} || "
                             f"{lit(f' is not a whole number {rng}')}"))
        elif c.kind == "number":
            out.append(Check("bad_number", c.name, i, f"{v} IS NOT NULL AND {p} IS NULL", v,
                             f"{lit(c.name + ' ')} || {quoted_value(c.name)} || "
                             f"{lit(' is not a number (digits, optionally a . and decimals)')}"))
    return out


def _checks_duplicate(entity: Entity) -> list[Check]:
    if not entity.key:
        return []
    first = entity.key[0]
    i = [c.name for c in entity.columns].index(first)
    shown = " || ', ' || ".join(f"{lit(k + ' ')} || {q(k)}" for k in entity.key)
    value = " || ':' || ".join(q(k) for k in entity.key)
    reason = (
        f"{shown} || CASE WHEN __dups > 1 "
        f"THEN ' appears on ' || __dups || ' rows of this file; a key must be unique' "
        f"ELSE ' is already held by ' || __held_by || '; a key must be unique across periods' "
        f"END"
    )
    return [Check("duplicate_key", first, i, "__dups > 1 OR __held_by IS NOT NULL", value,
                  reason)]


def _checks_sum(entity: Entity) -> list[Check]:
    pos = {c.name: i for i, c in enumerate(entity.columns)}
    out = []
    for total, parts in SUMS.get(entity.entity, ()):
        added = " + ".join(parsed(p) for p in parts)
        shown = " || ' + ' || ".join(f"{lit(p + ' ')} || {parsed(p)}" for p in parts)
        out.append(Check(
            "sum_mismatch", total, pos[total], f"{added} <> {parsed(total)}", q(total),
            f"{shown} || ' = ' || ({added}) || {lit(', but ' + total + ' is ')} || {q(total)}",
        ))
    return out


def checks_for(entity: Entity, period: Period | PeriodSQL, style: str) -> list[Check]:
    """Every check of an entity, in the order a row is judged: rule order, then column
    order within a rule. `period`: the file's, or `FILE_PERIOD` when several files are
    judged together (each row then carries its file's period)."""
    if isinstance(period, Period):
        period = PeriodSQL.of(period)
    checks = [
        *_checks_bad_value(entity),
        *_checks_missing(entity),
        *_checks_unknown(entity),
        *_checks_bad_date(entity, style),
        *_checks_impossible(entity, period),
        *_checks_out_of_period(entity, period),
        *_checks_bad_number(entity),
        *_checks_duplicate(entity),
        *_checks_sum(entity),
    ]
    return sorted(checks, key=lambda c: (RULES.index(c.rule), c.position))


# --- putting it together -------------------------------------------------------------


def _parsed_rows(entity: Entity, style: str, staged: str) -> str:
    """SELECT giving every staged row with its parsed values and its key (`__key`)."""
    parsed_cols = ", ".join(
        f"{sql} AS {parsed(c.name)}" for c in entity.columns
        if (sql := parse_sql(c, style)) is not None
    )

    key = key_sql(entity) if entity.key else "NULL"
    return f"SELECT *{', ' + parsed_cols if parsed_cols else ''}, {key} AS __key FROM {staged}"


def _key_value(c: Column) -> str:
    """A key column's value in a parsed row: a date parsed, text as sent (trimmed)."""
    return parsed(c.name) if c.kind == "date" else q(c.name)


def judged_sql(entity: Entity, checks: Sequence[Check], style: str, staged: str,
               held: str | None, files: int = 1) -> str:
    """SELECT giving, for every staged row, its parsed values and the index of the first
    failing check (NULL when the row is good).

    `staged` has `row_number` and one trimmed text column per spec column (NULL when
    blank); `held` is a table (key_text, file_name) of keys other current files hold.

    `files` > 1: the rows of that many files of one entity, judged together as if one
    after another (`ingest.tabular.parse_tables`), with the checks of `FILE_PERIOD`.
    Each row then carries its file's number (`__file`, in load order), name
    (`__file_name`) and period (`FILE_PERIOD`'s columns); a key repeats within its own
    file only; and a key is held by an earlier file of the batch when that file's row
    of it is good (as it would be once that file were loaded), which is the first file
    whose row of it passes every check but this one.
    """
    held_join = (f"LEFT JOIN {held} AS h ON h.key_text = p.__key" if held and entity.key
                 else "")
    held_by = "h.file_name" if held_join else "CAST(NULL AS VARCHAR)"
    cases = " ".join(f"WHEN coalesce({c.fails}, false) THEN {n}" for n, c in enumerate(checks))
    judge = f"CASE {cases} END" if checks else "CAST(NULL AS INTEGER)"
    # A key's rows counted by grouping the keys alone and joining back the few found
    # more than once, not by a window over every row's columns (a fifth of a police
    # file's validation): the same counts.
    # Several files: a key repeats within its own file only.
    file_k, by_file, on_file = (("__file AS __kf, ", "__file, ", "k.__kf = p.__file AND ")
                                if files > 1 else ("", "", ""))
    judged = f"""
WITH p AS (
  {_parsed_rows(entity, style, staged)}
), k AS (
  SELECT {file_k}__key AS __k, count(*) AS __n
  FROM p WHERE __key IS NOT NULL GROUP BY {by_file}__key HAVING count(*) > 1
), d AS (
  SELECT p.*,
    CASE WHEN p.__key IS NULL THEN 0 ELSE coalesce(k.__n, 1) END AS __dups,
    {held_by} AS __held_by
  FROM p LEFT JOIN k ON {on_file}k.__k = p.__key {held_join}
)"""
    duplicate = next((n for n, c in enumerate(checks) if c.rule == "duplicate_key"), None)
    if files == 1 or duplicate is None:
        return f"{judged}\nSELECT *, {judge} AS __check FROM d\n"
    # Judged first as if no file of the batch held a key (`__own`); then a row whose key
    # an earlier file's good row holds fails the duplicate check, unless an earlier
    # check failed first.
    return f"""{judged}, c AS (
  SELECT *, {judge} AS __own FROM d
), f AS (
  SELECT __key AS __fk, min(__file) AS __first, arg_min(__file_name, __file) AS __first_name
  FROM c WHERE __own IS NULL AND __key IS NOT NULL GROUP BY __key
)
SELECT c.* EXCLUDE (__held_by, __own),
  coalesce(c.__held_by, CASE WHEN f.__first < c.__file THEN f.__first_name END) AS __held_by,
  CASE WHEN c.__own < {duplicate} THEN c.__own
       WHEN f.__first < c.__file THEN {duplicate} ELSE c.__own END AS __check
FROM c LEFT JOIN f ON f.__fk = c.__key
"""


def _of_file(file: int | None) -> str:
    """The condition keeping one file's rows of a batch judged together."""
    return "" if file is None else f" AND __file = {int(file)}"


def quarantine_select(checks: Sequence[Check], judged: str, lineage: dict[str, str],
                      file: int | None = None) -> str:
    """Quarantine rows (columns of `quarantine.rows`) for the judged rows that failed
    (of file number `file` alone, when several were judged together)."""
    def pick(attr: str) -> str:
        whens = " ".join(f"WHEN {n} THEN {getattr(c, attr)}" for n, c in enumerate(checks))
        return f"CASE __check {whens} END"

    column_name = "CASE __check " + " ".join(
        f"WHEN {n} THEN {lit(c.column) if c.column else 'NULL'}"
        for n, c in enumerate(checks)) + " END"
    rule = "CASE __check " + " ".join(
        f"WHEN {n} THEN {lit(c.rule)}" for n, c in enumerate(checks)) + " END"
    return f"""
SELECT {lit(lineage['file_name'])} AS file_name, {lit(lineage['file_sha256'])} AS file_sha256,
  {lit(lineage['source'])} AS source, {lit(lineage['entity'])} AS entity,
  {lit(lineage['period'])} AS period, CAST(row_number AS INTEGER) AS row_number,
  {column_name} AS column_name, CAST({pick('bad_value')} AS VARCHAR) AS bad_value,
  {rule} AS reason_code, coalesce({pick('reason')}, {rule}) AS reason
FROM {judged} WHERE __check IS NOT NULL{_of_file(file)} ORDER BY row_number
"""


def rows_select(entity: Entity, judged: str, lineage: dict[str, str],
                la_code: str | None, file: int | None = None) -> str:
    """Good rows, typed, in the raw table's column order (spec columns + lineage); of
    file number `file` alone, when several were judged together."""
    cols = []
    if la_code is not None:
        cols.append(f"{lit(la_code)} AS la_code")
    for c in entity.columns:
        value = parsed(c.name) if parse_sql(c, "iso") is not None else q(c.name)
        cols.append(f"CAST({value} AS {c.sql_type}) AS {q(c.name)}")
    cols += [
        f"{lit(lineage['file_name'])} AS file_name",
        f"{lit(lineage['file_sha256'])} AS file_sha256",
        "CAST(row_number AS INTEGER) AS row_number",
        f"{lit(lineage['period'])} AS period",
    ]
    return (f"SELECT {', '.join(cols)} FROM {judged} "
            f"WHERE __check IS NULL{_of_file(file)} ORDER BY row_number")
