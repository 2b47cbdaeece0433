"""Quarterly partner exports: gate, build, protect, verify, publish — and say what happened.

For each complete quarter in the data and each partner (DESIGN.md "Partner exports"):

1. the Great Expectations suites guarding the partner must all have passed, else the
   partner is blocked (for every quarter: its figures rest on the failing table);
2. its tables are built from the contract tables (a CSP's from its own area only) and put
   through the disclosure rule of `exports.disclosure`;
3. if the folder already published holds exactly these bytes, nothing is written;
4. otherwise every table must pass its Soda contract (schema, no unsuppressed small
   count, totals reconcile with the marts), and then the folder is published atomically.

A blocked partner's earlier publications stay untouched; the others still publish.
Reading happens first, over one read-only connection that is closed before anything is
written; the `audit.exports` rows come back in the report, for the caller to insert with
a writable connection once no reader is open (`write_audit_rows`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import pandas as pd

from expectations.results import CheckResult, could_not_run
from exports import folder as folders
from exports.disclosure import protect
from exports.marts import (
    MissingTable,
    months_with_serious_violence,
    read_loaded_files,
    read_only,
    read_table,
)
from exports.partners import (
    CSP_PARTNERS,
    PARTNERS,
    SOURCE_ENTITIES,
    SOURCES_FROM_ANY_PERIOD,
    disclosure_rule,
    partner_group,
)
from exports.reconcile import (
    MONTHLY_FOR_GROUP,
    RECONCILE_READS,
    expected_totals,
    read_monthly_counts,
    reconcile_rows,
)
from exports.render import code_version, csv_bytes, manifest_bytes, notes_rows, workbook_bytes
from exports.tables import TableDef, build_table, scoped_tables, tables_for
from exports.windows import ExportWindow, complete_quarters, window
from vrn import periods

Echo = Callable[[str], None]
T = TypeVar("T")


@dataclass(frozen=True)
class PartnerOutcome:
    partner: str
    fy_quarter: str
    outcome: str  # published | republished | unchanged | blocked
    folder: str
    manifest_sha256: str | None
    reason: str
    published_at: datetime
    blocked_by: tuple[CheckResult, ...] = ()

    def audit_row(self) -> dict[str, Any]:
        """A row of `audit.exports` (ingest/schema.py)."""
        return {"partner": self.partner, "fy_quarter": self.fy_quarter, "folder": self.folder,
                "manifest_sha256": self.manifest_sha256,
                "published_at": self.published_at.replace(tzinfo=None),
                "outcome": self.outcome, "reason": self.reason}


@dataclass
class ExportReport:
    quarters: list[str]
    gate_checks: list[CheckResult]
    outcomes: list[PartnerOutcome] = field(default_factory=list)

    @property
    def blocked(self) -> list[PartnerOutcome]:
        return [o for o in self.outcomes if o.outcome == "blocked"]

    @property
    def exit_code(self) -> int:
        """DESIGN.md `vrn run`: 1 when any check blocked an export."""
        return 1 if self.blocked else 0

    def audit_rows(self) -> list[dict[str, Any]]:
        return [o.audit_row() for o in self.outcomes]

    def blocking_checks(self) -> list[tuple[CheckResult, list[str]]]:
        """Each failing check once, with the partner/quarter exports it blocked."""
        seen: dict[tuple[str, str], tuple[CheckResult, list[str]]] = {}
        for o in self.blocked:
            for check in o.blocked_by:
                key = (check.name, check.table)
                seen.setdefault(key, (check, []))[1].append(f"{o.partner} {o.fy_quarter}")
        return list(seen.values())

    def lines(self) -> list[str]:
        """What the CLI prints."""
        counts: dict[str, int] = {}
        for o in self.outcomes:
            counts[o.outcome] = counts.get(o.outcome, 0) + 1
        summary = ", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "nothing"
        out = [f"exports for {len(self.quarters)} quarter(s) "
               f"({', '.join(self.quarters) or 'none complete'}): {summary}"]
        blocking = self.blocking_checks()
        for check, blocked in blocking:
            out.append(f"BLOCKED {len(blocked)} export(s) ({_shorten(blocked)}): "
                       f"{check.message()}")
        named = {c.name for c, _ in blocking}
        for check in self.gate_checks:
            if not check.passed and check.name not in named:
                out.append(f"FAILED (no export to block): {check.message()}")
        return out


def _shorten(items: Sequence[str], limit: int = 6) -> str:
    return ", ".join(items[:limit]) + (f" and {len(items) - limit} more"
                                       if len(items) > limit else "")


def write_audit_rows(con: duckdb.DuckDBPyConnection, rows: Iterable[Mapping[str, Any]]) -> int:
    """Insert the report's rows into audit.exports (a writable connection, no reader open)."""
    rows = list(rows)
    for r in rows:
        con.execute(
            "INSERT INTO audit.exports (partner, fy_quarter, folder, manifest_sha256, "
            "published_at, outcome, reason) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [r["partner"], r["fy_quarter"], r["folder"], r["manifest_sha256"],
             r["published_at"], r["outcome"], r["reason"]])
    return len(rows)


# ---------------------------------------------------------------------------- reading


@dataclass
class Snapshot:
    """Everything the exports read, taken over one read-only connection."""

    tables: dict[str, pd.DataFrame]
    errors: dict[str, BaseException]
    quarters: list[str]
    loaded_files: pd.DataFrame | None
    monthly: dict[str, pd.DataFrame]
    monthly_errors: dict[str, BaseException]


def read_snapshot(warehouse: Path, groups: Sequence[str], suites: Sequence[Any]) -> Snapshot:
    needed = [r for s in suites for r in s.reads]
    for g in groups:
        needed += [r for t in tables_for(g) for r in t.reads]
        needed += RECONCILE_READS[g]
    with read_only(warehouse) as con:
        tables, errors = {}, {}
        for name in dict.fromkeys(needed):
            try:
                tables[name] = read_table(con, name)
            except (MissingTable, duckdb.Error) as e:
                errors[name] = e
        try:
            quarters = complete_quarters(months_with_serious_violence(con))
        except duckdb.Error:
            quarters = []
        try:
            loaded = read_loaded_files(con)
        except (MissingTable, duckdb.Error) as e:
            loaded, errors["audit.files"] = None, e
        monthly, monthly_errors = read_monthly_counts(
            con, [q for g in groups for q in MONTHLY_FOR_GROUP[g]])
    return Snapshot(tables, errors, quarters, loaded, monthly, monthly_errors)


# ---------------------------------------------------------------------------- building


def sources_for(loaded: pd.DataFrame, partner: str, win: ExportWindow) -> list[dict[str, str]]:
    """The loaded landing files behind a partner's export for this window."""
    group = partner_group(partner)
    wanted = set(SOURCE_ENTITIES[group])
    earliest = win.quarters_12m[0].start
    # RASSO rolling 12-month figures to the window's first month reach 11 months further.
    if group == "opcc":
        earliest = date_months_back(earliest, 12)
    out = []
    for r in loaded.itertuples():
        if (r.source, r.entity) not in wanted:
            continue
        if (r.source, r.entity) not in SOURCES_FROM_ANY_PERIOD:
            try:
                p = periods.fy_quarter(str(r.period))
            except ValueError:
                continue
            if p.start >= win.quarter.end_exclusive or p.end_exclusive <= earliest:
                continue
        out.append({"file_name": r.file_name, "sha256": r.sha256})
    return sorted(out, key=lambda s: s["file_name"])


def date_months_back(d: Any, months: int) -> Any:
    m = d.month - 1 - months
    return d.replace(year=d.year + m // 12, month=m % 12 + 1, day=1)


@dataclass
class Built:
    tables: list[TableDef]
    raw: dict[str, pd.DataFrame]
    published: dict[str, pd.DataFrame]


def build_partner(frames: Mapping[str, pd.DataFrame], partner: str,
                  win: ExportWindow) -> Built:
    """Every table of the partner's export, as published (after disclosure control)."""
    scoped = scoped_tables(frames, partner)
    defs = list(tables_for(partner_group(partner)))
    raw, published = {}, {}
    for t in defs:
        figures = build_table(t, scoped, win, partner)
        raw[t.name] = figures
        published[t.name] = protect(figures, t.shape_for(win),
                                    disclosure_rule(partner, t.kind)).frame
    return Built(defs, raw, published)


def render_files(built: Built, partner: str, win: ExportWindow) -> dict[str, bytes]:
    files = {f"{t.name}.csv": csv_bytes(built.published[t.name]) for t in built.tables}
    rules = {t.kind: disclosure_rule(partner, t.kind) for t in built.tables}
    notes = notes_rows(partner, win, built.tables, rules)
    files[workbook_name(partner, win.label)] = workbook_bytes(
        [(t.name, built.published[t.name]) for t in built.tables], notes)
    return files


def workbook_name(partner: str, fy_quarter: str) -> str:
    return f"{partner}_{fy_quarter}.xlsx"


def manifest(partner: str, win: ExportWindow, built: Built, files: Mapping[str, bytes],
             sources: list[dict[str, str]], checks: Sequence[CheckResult],
             supersedes: dict[str, Any] | None, generated_at: str) -> dict[str, Any]:
    """DESIGN.md's manifest, exactly its fields."""
    rows = {f"{t.name}.csv": len(built.published[t.name]) for t in built.tables}
    return {
        "partner": partner,
        "fy_quarter": win.label,
        "generated_at": generated_at,
        "code_version": code_version(),
        # DESIGN.md: the folder it replaced (where that version now lives), or null; why
        # it was replaced goes to audit.exports.reason.
        "supersedes": supersedes["folder"] if supersedes else None,
        "suppression": [disclosure_rule(partner, t.kind).as_manifest(t.name)
                        for t in built.tables],
        "files": [{"name": name, "rows": rows.get(name), "sha256": folders.sha256(data)}
                  for name, data in files.items()],
        "sources": sources,
        "checks": [c.for_manifest() for c in checks],
    }


def timestamp(now: datetime) -> str:
    return now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# ---------------------------------------------------------------------------- publishing


def publish_exports(
    warehouse: Path | str,
    exports_root: Path | str,
    *,
    partners: Sequence[str] | None = None,
    quarters: Sequence[str] | None = None,
    now: datetime | None = None,
    echo: Echo | None = None,
) -> ExportReport:
    """Gate, build and publish every partner's export for every complete quarter."""
    from expectations.gx_suites import run_suites, suites_guarding
    from expectations.soda_contracts import verify_partner_tables

    warehouse, exports_root = Path(warehouse), Path(exports_root)
    selected = list(partners or PARTNERS)
    unknown = [p for p in selected if p not in PARTNERS]
    if unknown:
        raise ValueError(f"unknown partner(s) {unknown}; expected some of {list(PARTNERS)}")
    groups = list(dict.fromkeys(partner_group(p) for p in selected))
    suites = suites_guarding(groups)
    say = echo or (lambda _: None)
    now = now or datetime.now(UTC)

    snap = read_snapshot(warehouse, groups, suites)
    todo = snap.quarters
    if quarters is not None:
        missing = [q for q in quarters if q not in snap.quarters]
        if missing:
            raise ValueError(f"quarter(s) {missing} are not complete in the warehouse; "
                             f"complete quarters: {snap.quarters}")
        todo = list(quarters)
    say(f"checking the marts ({len(suites)} Great Expectations suites)")
    gate = run_suites(snap.tables, snap.errors, snap.quarters, suites)
    if snap.loaded_files is None:
        gate.append(could_not_run("sources_recorded", "audit.files", snap.errors["audit.files"],
                                  tuple(groups)))
    report = ExportReport(quarters=list(todo), gate_checks=gate)

    data_start = periods.fy_quarter(snap.quarters[0]).start if snap.quarters else None
    for q in todo:
        win = window(q, data_start)
        say(f"exports for {q}")
        for partner in selected:
            report.outcomes.append(_one_partner(
                snap, gate, exports_root, partner, win, now, verify_partner_tables))
    return report


def _blocked(partner: str, win: ExportWindow, exports_root: Path, now: datetime,
             checks: Sequence[CheckResult]) -> PartnerOutcome:
    reason = " | ".join(c.message() for c in checks)
    return PartnerOutcome(partner, win.label, "blocked",
                          str(exports_root / win.label / partner), None, reason, now,
                          tuple(checks))


def _one_partner(snap: Snapshot, gate: Sequence[CheckResult], exports_root: Path,
                 partner: str, win: ExportWindow, now: datetime,
                 verify: Callable[..., list[CheckResult]]) -> PartnerOutcome:
    group = partner_group(partner)
    guards = [c for c in gate if group in c.guards]
    failing = [c for c in guards if not c.passed]
    if failing:
        return _blocked(partner, win, exports_root, now, failing)

    final = exports_root / win.label / partner
    sources = sources_for(snap.loaded_files, partner, win)
    if inputs_unchanged(final, partner, sources):
        sha = folders.file_sha256(final / folders.MANIFEST)
        return PartnerOutcome(partner, win.label, "unchanged", str(final), sha,
                              "same sources, code and rules as the published folder; "
                              "nothing rebuilt or written", now)

    built, failure = _attempt(f"build_exports:{partner}", f"exports {partner}", group,
                              lambda: _build(snap, partner, win))
    if failure:
        return _blocked(partner, win, exports_root, now, [failure])
    files = render_files(built, partner, win)
    if final.is_dir() and folders.is_unchanged(final, files):
        sha = folders.file_sha256(final / folders.MANIFEST)
        return PartnerOutcome(partner, win.label, "unchanged", str(final), sha,
                              "identical content already published; nothing written", now)

    tables = {t.name: t for t in built.tables}
    rules = {t.kind: disclosure_rule(partner, t.kind) for t in built.tables}
    reconcile, failure = _attempt(
        f"reconcile_totals:{partner}", f"exports {partner}", group,
        lambda: _reconcile(snap, built, partner, win, tables, rules))
    if failure:
        return _blocked(partner, win, exports_root, now, [failure])
    area_codes = _area_codes(snap, partner)
    soda = verify(built.published, reconcile, tables, rules, area_codes)
    failed = [c for c in soda if not c.passed]
    if failed:
        return _blocked(partner, win, exports_root, now, failed)

    generated_at = timestamp(now)
    checks = [*guards, *soda]

    def make_manifest(supersedes: dict[str, Any] | None) -> bytes:
        return manifest_bytes(manifest(partner, win, built, files, sources, checks,
                                       supersedes, generated_at))

    try:
        pub = folders.publish_folder(exports_root, win.label, partner, files, sources,
                                     make_manifest, now)
    except Exception as error:  # the folder module left nothing half-written
        return _blocked(partner, win, exports_root, now, [could_not_run(
            f"write_exports:{partner}", str(final), error, (group,))])
    return PartnerOutcome(partner, win.label, pub.outcome, str(pub.folder),
                          pub.manifest_sha256, pub.reason, now)


def inputs_unchanged(final: Path, partner: str, sources: list[dict[str, str]]) -> bool:
    """Skip rebuilding a published folder whose inputs are provably the same: the same
    loaded source files (name and SHA-256), the same committed code (a `git describe`
    without `-dirty`: models, seeds and this package) and the same disclosure rules, with
    the folder intact. Anything else is rebuilt and compared byte for byte."""
    version = code_version()
    if version.endswith("-dirty") or version == "unknown" or not final.is_dir():
        return False
    old = folders.read_manifest(final)
    if old is None:
        return False
    suppression = [disclosure_rule(partner, t.kind).as_manifest(t.name)
                   for t in tables_for(partner_group(partner))]
    return (old.get("code_version") == version and old.get("sources") == sources
            and old.get("suppression") == suppression and folders.is_intact(final, old))


def _attempt(name: str, table: str, group: str,
             work: Callable[[], T]) -> tuple[T, None] | tuple[None, CheckResult]:
    """Run a step; if it cannot run, that is a failed check (never a silent pass)."""
    try:
        return work(), None
    except Exception as error:  # a step that cannot run blocks the export
        return None, could_not_run(name, table, error, (group,))


def _build(snap: Snapshot, partner: str, win: ExportWindow) -> Built:
    needed = {r for t in tables_for(partner_group(partner)) for r in t.reads}
    missing = sorted(needed - set(snap.tables))
    if missing:
        raise snap.errors.get(missing[0]) or MissingTable(f"marts.{missing[0]} was not read")
    return build_partner(snap.tables, partner, win)


def _reconcile(snap: Snapshot, built: Built, partner: str, win: ExportWindow,
               tables: Mapping[str, TableDef], rules: Mapping[str, Any]) -> pd.DataFrame:
    for name in MONTHLY_FOR_GROUP[partner_group(partner)]:
        if name in snap.monthly_errors:
            raise snap.monthly_errors[name]
    expected = expected_totals(snap.monthly, snap.tables, partner, win)
    return reconcile_rows(built.published, expected, tables, rules)


def _area_codes(snap: Snapshot, partner: str) -> tuple[str, ...]:
    if partner not in CSP_PARTNERS:
        return ()
    csp = CSP_PARTNERS[partner]
    geo = snap.tables.get("dim_geography")
    districts = [] if geo is None else sorted(
        set(geo.loc[geo["csp_name"] == csp, "district_code"]))
    return (*districts, csp)
