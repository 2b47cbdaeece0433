"""Quarterly partner exports: select, protect, verify, publish — and say what happened.

For each export quarter and each partner the dbt exposures name (DESIGN.md "Partner
exports", "Published tables live in the warehouse"):

1. its rows are selected from the `pub_` models it receives (a CSP's own rows only);
2. a quality gate failing on a source its tables read, in a quarter its figures draw on,
   holds the export back (`exports.gates`); its earlier publication stays untouched;
   an export made from the same inputs as its latest publication (`inputs_sha256`), whose
   folder is still as published, is left alone without being built;
3. each table goes through the partner's disclosure rule (`exports.disclosure`), rows
   drawing on a missing partner file shown as `[x]`;
4. if the published folder already holds exactly these bytes, nothing is written;
5. otherwise every table must pass its Soda contract (`verify`, supplied by the caller:
   schema, no unsuppressed small count, totals equal the warehouse's), then the folder is
   published atomically with its manifest. One partner's quarters are built first and
   their contracts verified in one call (`publish_partner`), so that a contract can run
   once over all of them; a quarter failing one is held back by itself.

Reading happens first, over one read-only connection that is closed before anything is
written; the `audit.exports` rows come back in the report, for the caller to insert with a
writable connection once no reader is open (`write_audit_rows`, which also logs every
folder written in `audit.access`: Data Protection Act 2018 s.62). Folders and files are
owner-only (`exports.folder`); each call tightens what an earlier version left wider.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Protocol

import duckdb
import numpy as np
import pandas as pd

from exports import folder as folders
from exports.catalog import Catalog, Partner, PublishedTable, measure_sums
from exports.disclosure import Table, protect_together
from exports.gates import Gate, GateFailure, held_by
from exports.labels import table_title
from exports.partners import DisclosureRule, disclosure_rule
from exports.render import (
    Texts,
    cell_texts,
    changes_in_words,
    code_version,
    cover_sheet,
    csv_bytes,
    manifest_bytes,
    notes_rows,
    workbook_bytes,
)
from exports.shapes import Margin, TableShape
from exports.warehouse import Published, read_only, read_published
from vrn import periods
from vrn.listing import code_digest
from vrn.lock import PUBLISH, access_row, insert_access

Echo = Callable[[str], None]


class Verdict(Protocol):
    """A check's result as the publisher needs it (vrn.checks.CheckResult fits)."""

    name: str
    passed: bool

    def message(self) -> str: ...
    def for_manifest(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class FolderTables:
    """What one export's tables are verified on: the published tables, their figures
    before control, their definitions and the partner's rules by kind."""

    fy_quarter: str
    published: Mapping[str, pd.DataFrame]
    figures: Mapping[str, pd.DataFrame]
    tables: Mapping[str, PublishedTable]
    rules: Mapping[str, DisclosureRule]
    # A published table's `exports.render.cell_texts`, where the CSV has been written.
    texts: Mapping[str, Texts] = field(default_factory=dict)


# Several exports of one partner at once -> for each, one verdict per table.
Verify = Callable[[Sequence[FolderTables]], Sequence[Sequence[Verdict]]]


@dataclass(frozen=True)
class PartnerOutcome:
    partner: str
    fy_quarter: str
    outcome: str  # published | republished | unchanged | blocked
    folder: str
    manifest_sha256: str | None
    reason: str
    published_at: datetime
    held_by: tuple[str, ...] = ()  # one line per check that held the export back
    inputs_sha256: str | None = None  # what the published folder was made from

    def audit_row(self, run_id: str | None = None) -> dict[str, Any]:
        """A row of `audit.exports` (ingest/schema.py)."""
        return {"partner": self.partner, "fy_quarter": self.fy_quarter, "folder": self.folder,
                "manifest_sha256": self.manifest_sha256,
                "published_at": self.published_at.replace(tzinfo=None),
                "outcome": self.outcome, "reason": self.reason, "run_id": run_id,
                "inputs_sha256": self.inputs_sha256}


@dataclass
class ExportReport:
    quarters: list[str]
    outcomes: list[PartnerOutcome] = field(default_factory=list)
    run_id: str | None = None

    @property
    def blocked(self) -> list[PartnerOutcome]:
        return [o for o in self.outcomes if o.outcome == "blocked"]

    @property
    def exit_code(self) -> int:
        """DESIGN.md `vrn run`: 1 when any check blocked an export."""
        return 1 if self.blocked else 0

    def audit_rows(self) -> list[dict[str, Any]]:
        return [o.audit_row(self.run_id) for o in self.outcomes]


WRITTEN = ("published", "republished")  # the outcomes that wrote a folder


def write_audit_rows(con: duckdb.DuckDBPyConnection, rows: Iterable[Mapping[str, Any]]) -> int:
    """Insert the report's rows into audit.exports (a writable connection, no reader open),
    and log every folder written (published or republished: a blocked or unchanged export
    wrote nothing) in audit.access, with who wrote it, for whom and in which run."""
    rows = list(rows)
    for r in rows:
        con.execute(
            "INSERT INTO audit.exports (partner, fy_quarter, folder, manifest_sha256, "
            "published_at, outcome, reason, run_id, inputs_sha256) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [r["partner"], r["fy_quarter"], r["folder"], r["manifest_sha256"],
             r["published_at"], r["outcome"], r["reason"], r.get("run_id"),
             r.get("inputs_sha256")])
    insert_access(con, [access_row(PUBLISH, r["folder"], r["outcome"], recipient=r["partner"],
                                   run_id=r.get("run_id"))
                        for r in rows if r["outcome"] in WRITTEN])
    return len(rows)


# ---------------------------------------------------------------------------- selecting


@dataclass
class Export:
    """One partner's export of one quarter, as selected from the warehouse."""

    partner: Partner
    fy_quarter: str
    rows: dict[str, pd.DataFrame]  # table name -> its pub_ rows (bookkeeping included)
    reads: dict[str, tuple[str, ...]]  # table name -> `<source>/<entity>` it reads
    spans: dict[str, tuple[date, date] | None]  # table name -> first, last day it draws on
    # table name -> each row's hash (`pandas.util.hash_pandas_object`, index left out)
    row_hashes: dict[str, np.ndarray]

    @property
    def all_reads(self) -> tuple[str, ...]:
        return tuple(sorted({r for rs in self.reads.values() for r in rs}))

    @property
    def span(self) -> tuple[date, date] | None:
        """First and last day any of its figures draw on."""
        known = [s for s in self.spans.values() if s is not None]
        return (min(s[0] for s in known), max(s[1] for s in known)) if known else None

    @property
    def draws(self) -> list[tuple[tuple[str, ...], tuple[date, date] | None]]:
        """Per table: what it reads and the days it draws on (gates hold an export back
        only for a source a table reads in a quarter that table draws on)."""
        return [(self.reads[name], self.spans.get(name)) for name in self.rows]

    def draws_on(self, source_entity: str, first: date, last: date) -> bool:
        """Whether a figure of a table reading `source_entity` draws on a day from
        `first` to `last`."""
        return any(source_entity in reads and span is not None
                   and first <= span[1] and last >= span[0] for reads, span in self.draws)


_NO_ROWS = np.array([], dtype=np.intp)


def _positions(pub: Published, table: PublishedTable) -> dict[tuple[str, str | None],
                                                               np.ndarray]:
    """Where each export quarter's rows of the table's model are (and each partner's, in
    a table with a row per partner): found in one pass over the model's rows per read,
    where a comparison per quarter and partner went over all of them every time."""
    key = (table.model, table.partner_scoped)
    found = pub.positions.get(key)
    if found is None:
        frame = pub.rows[table.model]
        if table.partner_scoped:  # keyed (quarter, partner) already
            found = dict(frame.groupby(["export_quarter", "partner"], sort=False).indices)
        else:
            found = {(quarter, None): rows for quarter, rows
                     in frame.groupby("export_quarter", sort=False).indices.items()}
        pub.positions[key] = found
    return found


def _row_hashes(pub: Published, model: str) -> np.ndarray:
    """Each row's hash, for `inputs_sha256`: made once per model and read (a row's hash
    is its own values' alone, so a quarter's rows take theirs from here)."""
    hashes = pub.row_hashes.get(model)
    if hashes is None:
        hashes = pd.util.hash_pandas_object(pub.rows[model], index=False).to_numpy()
        pub.row_hashes[model] = hashes
    return hashes


def select_export(pub: Published, partner: Partner, fy_quarter: str) -> Export:
    rows, reads, spans, hashes = {}, {}, {}, {}
    for t in partner.tables:
        positions = _positions(pub, t).get(
            (fy_quarter, partner.name if t.partner_scoped else None), _NO_ROWS)
        chosen = pub.rows[t.model].take(positions).reset_index(drop=True)
        rows[t.name] = chosen
        hashes[t.name] = _row_hashes(pub, t.model)[positions]
        reads[t.name] = pub.reads.get(t.model, ())
        spans[t.name] = ((pd.Timestamp(chosen["draws_from"].min()).date(),
                          pd.Timestamp(chosen["draws_to"].max()).date())
                         if len(chosen) else None)
    return Export(partner, fy_quarter, rows, reads, spans, hashes)


def missing_files(pub: Published, export: Export) -> list[dict[str, Any]]:
    """The manifest's `missing`: the partner files the export's figures draw on that are
    not loaded, with the file (null when none arrived) and why."""
    out = []
    for m in pub.missing.itertuples(index=False):
        if not export.draws_on(f"{m.source}/{m.entity}", pd.Timestamp(m.period_start).date(),
                               pd.Timestamp(m.period_end).date()):
            continue
        out.append({"source": m.source, "entity": m.entity, "period": m.period,
                    "file_name": None if pd.isna(m.file_name) else m.file_name,
                    "reason": m.reason})
    return out


def sources_for(pub: Published, export: Export) -> list[dict[str, str]]:
    """The loaded landing files of the extracts the export reads, for the quarters its
    figures draw on (name and SHA-256)."""
    out = []
    reads = set(export.all_reads)
    for f in pub.loaded_files.itertuples(index=False):
        if f"{f.source}/{f.entity}" not in reads:
            continue  # no table of the export reads it (`draws_on` would say so too)
        try:
            q = periods.fy_quarter(str(f.period))
        except ValueError:
            continue
        if export.draws_on(f"{f.source}/{f.entity}", q.start, q.end):
            out.append({"file_name": f.file_name, "sha256": f.sha256})
    return sorted(out, key=lambda s: s["file_name"])


# ---------------------------------------------------------------------------- protecting


@dataclass
class Built:
    tables: list[PublishedTable]
    figures: dict[str, pd.DataFrame]  # before disclosure control
    published: dict[str, pd.DataFrame]
    # published table -> its cells as the CSV has them (`csv_files`), for the contracts
    texts: dict[str, list[list[str | None]]] = field(default_factory=dict)


def shape_of(table: PublishedTable, rows: pd.DataFrame) -> TableShape:
    """The table's declared shape, plus the one total the rows themselves carry: a rolling
    12 months that are the financial year (a Q4 export) add up its quarter rows."""
    if "is_sum_of_periods" not in rows or "period" not in table.shape.keys:
        return table.shape
    totals = rows.loc[rows["is_sum_of_periods"].fillna(False).astype(bool), "period"].unique()
    if len(totals) != 1:
        return table.shape
    parts = tuple(p for p in rows["period"].unique() if p != totals[0])
    return table.shape.with_margins(Margin("period", str(totals[0]), parts))


def build(export: Export) -> Built:
    """The export's tables under disclosure control. A partner reads them side by side,
    so the tables under one rule are protected together: a figure hidden in one is not
    worked out from another (`exports.disclosure.protect_together`)."""
    built = Built(list(export.partner.tables), {}, {})
    by_rule: dict[DisclosureRule, list[Table]] = {}
    for t in export.partner.tables:
        rows = export.rows[t.name]
        figures = rows[list(t.columns)].reset_index(drop=True)
        built.figures[t.name] = figures
        rule = disclosure_rule(export.partner.name, t.kind)
        by_rule.setdefault(rule, []).append(
            Table(t.name, figures, shape_of(t, rows), rows["missing"].notna().tolist()))
    for rule, tables in by_rule.items():
        for name, protected in protect_together(tables, rule, measure_sums()).items():
            built.published[name] = protected.frame
    built.published = {t.name: built.published[t.name] for t in built.tables}
    return built


# ---------------------------------------------------------------------------- rendering


def workbook_name(partner: str, fy_quarter: str) -> str:
    return f"{partner}_{fy_quarter}.xlsx"


def _periods(export: Export) -> list[tuple[str, str, str]]:
    """Each period the export's tables have (label, first day, last day), in the order
    they first appear: a period's days are those of its first row. Worked on as lists
    (a frame of the three columns, deduplicated and iterated, took 20 times as long)."""
    seen: dict[str, tuple[str, str, str]] = {}
    for rows in export.rows.values():
        if {"period", "period_start", "period_end"} <= set(rows.columns):
            starts = ends = None
            for i, label in enumerate(rows["period"].tolist()):
                if label not in seen:
                    if starts is None:  # the days, once a table brings a new period
                        starts, ends = rows["period_start"].tolist(), rows["period_end"].tolist()
                    seen[label] = (label, _iso_day(starts[i]), _iso_day(ends[i]))
    return list(seen.values())


def _iso_day(value: Any) -> str:
    return pd.Timestamp(value).date().isoformat()


def csv_files(built: Built) -> dict[str, bytes]:
    """Each table's CSV; its cells' texts are kept in `built.texts`."""
    files = {}
    for t in built.tables:
        texts = built.texts[t.name] = cell_texts(built.published[t.name])
        files[f"{t.name}.csv"] = csv_bytes(built.published[t.name], texts)
    return files


def render_files(export: Export, built: Built, missing: Sequence[Mapping[str, Any]],
                 profiles: bool = True, changes: folders.FigureChanges | None = None,
                 csvs: Mapping[str, bytes] | None = None) -> dict[str, bytes]:
    """Every file of the folder; `changes` what the cover says changed since the last
    version with different figures (None: the first); `csvs` the tables' CSVs when the
    caller has them already."""
    partner = export.partner.name
    files = dict(csvs) if csvs is not None else csv_files(built)
    rules = {t.kind: disclosure_rule(partner, t.kind) for t in built.tables}
    export_periods = _periods(export)
    notes = notes_rows(partner, export.fy_quarter, export_periods, built.tables, rules,
                       export.reads, missing)
    titles = {f"{t.name}.csv": table_title(t) for t in built.tables}
    cover = cover_sheet(export.partner.owner, export.fy_quarter, export_periods,
                        export.all_reads, changes_in_words(changes, titles))
    files[workbook_name(partner, export.fy_quarter)] = workbook_bytes(
        [(t, built.published[t.name]) for t in built.tables], notes, cover, export.reads)
    # DESIGN.md "Profiles": CSP partners and opcc also get profile.html and profile.pdf,
    # drawn from the same published (disclosure-controlled) frames as the CSVs.
    if profiles:
        from exports.profiles import render_profile_files

        files.update(render_profile_files(export, built))
    return files


def render_with_profile(export: Export, built: Built, missing: Sequence[Mapping[str, Any]],
                        final: Path, sources: Sequence[Mapping[str, str]] = ()
                        ) -> dict[str, bytes]:
    """Every file of the folder. The profile (seconds of charts and PDF) is taken from the
    published folder when nothing it is drawn from changed (folders.reusable_files)."""
    from exports.profiles.profile import HTML_NAME, PDF_NAME, gets_profile

    csvs = csv_files(built)
    changes = folders.figure_changes(final, final.parent.parent, csvs, sources)
    files = render_files(export, built, missing, profiles=False, changes=changes, csvs=csvs)
    if not gets_profile(export.partner.name):
        return files
    reused = (folders.reusable_files(final, files, (HTML_NAME, PDF_NAME), code_version())
              if final.is_dir() else None)
    if reused is None:
        from exports.profiles import render_profile_files

        reused = render_profile_files(export, built)
    return {**files, **reused}


def manifest(export: Export, built: Built, files: Mapping[str, bytes],
             sources: list[dict[str, str]], missing: list[dict[str, Any]],
             checks: Sequence[Mapping[str, Any]], supersedes: dict[str, Any] | None,
             generated_at: str) -> dict[str, Any]:
    """DESIGN.md's manifest, exactly its fields."""
    partner = export.partner.name
    rows = {f"{t.name}.csv": len(built.published[t.name]) for t in built.tables}
    reads = {f"{t.name}.csv": list(export.reads[t.name]) for t in built.tables}
    return {
        "partner": partner,
        "fy_quarter": export.fy_quarter,
        "generated_at": generated_at,
        "code_version": code_version(),
        # DESIGN.md: the folder it replaced (where that version now lives), or null; why
        # it was replaced goes to audit.exports.reason.
        "supersedes": supersedes["folder"] if supersedes else None,
        "suppression": [disclosure_rule(partner, t.kind).as_manifest(t.name)
                        for t in built.tables],
        "files": [{"name": name, "rows": rows.get(name), "sha256": folders.sha256(data),
                   "reads": reads.get(name, [])} for name, data in files.items()],
        "sources": sources,
        "missing": missing,
        "checks": list(checks),
    }


def timestamp(now: datetime) -> str:
    return now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# ---------------------------------------------------------------------------- publishing


def publish_exports(
    warehouse: Path | str,
    exports_root: Path | str,
    catalog: Catalog,
    *,
    gates: Sequence[Gate] = (),
    verify: Verify | None = None,
    partners: Sequence[str] | None = None,
    quarters: Sequence[str] | None = None,
    now: datetime | None = None,
    echo: Echo | None = None,
    run_id: str | None = None,
) -> ExportReport:
    """Publish every partner's export for every export quarter the gates let through."""
    warehouse, exports_root = Path(warehouse), Path(exports_root)
    selected = [catalog.partner(p) for p in (partners or catalog.names)]
    say = echo or (lambda _: None)
    now = now or datetime.now(UTC)
    folders.owner_only_tree(exports_root)  # what an earlier version published wider

    with read_only(warehouse) as con:
        pub = read_published(con, [t for p in selected for t in p.tables],
                             [p.name for p in selected])
    todo = pub.quarters
    if quarters is not None:
        unknown = [q for q in quarters if q not in pub.quarters]
        if unknown:
            raise ValueError(f"quarter(s) {unknown} are not exported by the warehouse; "
                             f"export quarters: {pub.quarters}")
        todo = list(quarters)
    report = ExportReport(quarters=list(todo), run_id=run_id)
    for partner in selected:
        outcomes = publish_partner(pub, partner, todo, exports_root, now, gates, verify)
        report.outcomes.extend(outcomes)
        say(partner_line(partner.name, outcomes))
    return report


def inputs_sha256(export: Export, missing: Sequence[Mapping[str, Any]],
                  sources: Sequence[Mapping[str, str]],
                  checks: Sequence[Mapping[str, Any]]) -> str:
    """What the export's folder is made from: its tables' rows before disclosure control
    (every column, bookkeeping included), the lineage and files they read, the files
    missing, the gates' verdicts the manifest records, and the code (every rule, template
    and renderer: `vrn.listing.code_digest`). Disclosure control, rendering and the Soda
    contracts are functions of these, so the same inputs make the same folder."""
    h = hashlib.sha256()
    for part in (export.partner.name, export.fy_quarter, code_digest(),
                 json.dumps([missing, sources, checks, export.reads], sort_keys=True,
                            default=str)):
        h.update(part.encode())
        h.update(b"\0")
    for name, rows in export.rows.items():
        h.update(f"{name}:{list(rows.columns)}:{list(map(str, rows.dtypes))}".encode())
        h.update(export.row_hashes[name].tobytes())
    return h.hexdigest()


def unchanged_since(pub: Published, export: Export, final: Path, inputs: str) -> bool:
    """The latest publication was made from `inputs` and its folder is as it wrote it."""
    recorded = pub.published.get((export.partner.name, export.fy_quarter))
    if recorded is None or recorded[0] != inputs or not final.is_dir():
        return False
    manifest = folders.read_manifest(final)
    return (manifest is not None
            and folders.file_sha256(final / folders.MANIFEST) == recorded[1]
            and folders.is_intact(final, manifest))


def _blocked(export: Export, folder: Path, now: datetime, held: Sequence[str]) -> PartnerOutcome:
    return PartnerOutcome(export.partner.name, export.fy_quarter, "blocked", str(folder), None,
                          " | ".join(held), now, tuple(held))


@dataclass
class Ready:
    """An export built and rendered whose folder would change: it waits for its tables'
    contracts, verified with its partner's other quarters, before it is written."""

    export: Export
    built: Built
    files: dict[str, bytes]
    missing: list[dict[str, Any]]
    sources: list[dict[str, str]]
    checks: list[dict[str, Any]]
    inputs: str
    final: Path

    def folder_tables(self) -> FolderTables:
        partner = self.export.partner.name
        return FolderTables(
            self.export.fy_quarter, self.built.published, self.built.figures,
            {t.name: t for t in self.built.tables},
            {t.kind: disclosure_rule(partner, t.kind) for t in self.built.tables},
            self.built.texts)


def publish_partner(pub: Published, partner: Partner, quarters: Sequence[str],
                    exports_root: Path, now: datetime, gates: Sequence[Gate],
                    verify: Verify | None) -> list[PartnerOutcome]:
    """One partner's exports of `quarters`, in order: each is built and rendered, the
    tables of those whose folder would change are verified together, then each of those
    is written or held back."""
    prepared = [prepare(pub, partner, q, exports_root, now, gates) for q in quarters]
    verdicts = iter(verify_ready([p for p in prepared if isinstance(p, Ready)], verify))
    return [write(p, next(verdicts), exports_root, now) if isinstance(p, Ready) else p
            for p in prepared]


def verify_ready(ready: Sequence[Ready], verify: Verify | None
                 ) -> list[Sequence[Verdict] | Exception]:
    """Each export's verdicts, or why its contracts could not run: all in one call, else
    (that call failing) one export at a time, so that one export's failure to run its
    contracts holds back that export only."""
    if verify is None or not ready:
        return [() for _ in ready]
    try:
        together = list(verify([r.folder_tables() for r in ready]))
        if len(together) == len(ready):
            return together
    except Exception:  # retried one export at a time, where it is reported
        pass
    out: list[Sequence[Verdict] | Exception] = []
    for r in ready:
        try:
            [verdicts] = verify([r.folder_tables()])
            out.append(verdicts)
        except Exception as error:  # a contract that cannot run blocks (PITFALLS 5)
            out.append(error)
    return out


def prepare(pub: Published, partner: Partner, fy_quarter: str, exports_root: Path,
            now: datetime, gates: Sequence[Gate]) -> PartnerOutcome | Ready:
    """One export up to its contracts: held back, unchanged, or built and rendered."""
    export = select_export(pub, partner, fy_quarter)
    final = exports_root / fy_quarter / partner.name
    reads = export.all_reads
    failures: list[GateFailure] = [f for g in gates for f in g.failures]
    held = held_by(failures, export.draws)
    if held:
        return _blocked(export, final, now, [f.text() for f in held])

    missing = missing_files(pub, export)
    sources = sources_for(pub, export)
    checks = [g.for_export(export.draws) for g in gates if g.guards(reads)]
    inputs = inputs_sha256(export, missing, sources, checks)
    if unchanged_since(pub, export, final, inputs):
        sha = pub.published[(partner.name, fy_quarter)][1]  # the folder's, as checked
        return PartnerOutcome(partner.name, fy_quarter, "unchanged", str(final), sha,
                              "made from the same rows, files, checks and code as the "
                              "published folder; nothing built or written", now,
                              inputs_sha256=inputs)

    try:
        built = build(export)
    except Exception as error:  # e.g. a table that is not additive as declared
        return _blocked(export, final, now,
                        [f"exports {partner.name}: could not build the tables: "
                         f"{type(error).__name__}: {error}"])
    try:
        files = render_with_profile(export, built, missing, final, sources)
    except Exception as error:  # a renderer's failure holds back this export only
        return _blocked(export, final, now,
                        [f"exports {partner.name}: could not render the files: "
                         f"{type(error).__name__}: {error}"])
    if final.is_dir() and folders.is_unchanged(final, files):
        sha = folders.file_sha256(final / folders.MANIFEST)
        if (partner.name, fy_quarter, sha) not in pub.recorded:
            # Written by a run killed before it could record it: partners may have read
            # it, so it is recorded now, as what it was (and logged in audit.access).
            old = (folders.read_manifest(final) or {}).get("supersedes")
            return PartnerOutcome(partner.name, fy_quarter,
                                  "republished" if old else "published", str(final), sha,
                                  "written by an earlier run that was stopped before it "
                                  "could record it; recorded now, nothing written", now,
                                  inputs_sha256=inputs)
        return PartnerOutcome(partner.name, fy_quarter, "unchanged", str(final), sha,
                              "identical content already published; nothing written", now,
                              inputs_sha256=inputs)
    return Ready(export, built, files, missing, sources, checks, inputs, final)


def write(ready: Ready, verdicts: Sequence[Verdict] | Exception,
          exports_root: Path, now: datetime) -> PartnerOutcome:
    """Publish one export whose tables met their contracts; hold it back otherwise."""
    export, final = ready.export, ready.final
    partner, fy_quarter = export.partner.name, export.fy_quarter
    if isinstance(verdicts, Exception):
        return _blocked(export, final, now, [f"soda_contracts could not run: "
                                             f"{type(verdicts).__name__}: {verdicts}"])
    failed = [v.message() for v in verdicts if not v.passed]
    if failed:
        return _blocked(export, final, now, failed)

    checks = ready.checks + [v.for_manifest() for v in verdicts]
    generated_at = timestamp(now)

    def make_manifest(supersedes: dict[str, Any] | None) -> bytes:
        return manifest_bytes(manifest(export, ready.built, ready.files, ready.sources,
                                       ready.missing, checks, supersedes, generated_at))

    try:
        done = folders.publish_folder(exports_root, fy_quarter, partner, ready.files,
                                      ready.sources, make_manifest, now)
    except Exception as error:  # the folder module left nothing half-written
        return _blocked(export, final, now, [f"could not write {final}: "
                                             f"{type(error).__name__}: {error}"])
    return PartnerOutcome(partner, fy_quarter, done.outcome, str(done.folder),
                          done.manifest_sha256, done.reason, now, inputs_sha256=ready.inputs)


# ---------------------------------------------------------------------------- saying


def partner_line(partner: str, outcomes: Sequence[PartnerOutcome],
                 when: str = "this run") -> str:
    """One line per partner (DESIGN.md "Quality gates"): the quarters published and those
    held back with the check, the source file, the quarter and why. `when` says which
    decisions the outcomes are (a run's, or each quarter's latest for `vrn status`)."""
    out = [o for o in outcomes if o.outcome != "blocked"]
    held = [o for o in outcomes if o.outcome == "blocked"]
    changed = [o.fy_quarter for o in out if o.outcome in ("published", "republished")]
    text = f"{partner}: {len(out)} quarter(s) published"
    if out:
        text += f" ({_quarters([o.fy_quarter for o in out])}"
        text += f"; {len(changed)} written {when})" if changed else f"; none changed {when})"
    if held:
        reasons: dict[str, list[str]] = {}
        for o in held:
            for why in o.held_by or (o.reason,):
                reasons.setdefault(why, []).append(o.fy_quarter)
        text += f"; HELD BACK {len(held)}: " + "; ".join(
            f"{_quarters(qs)} by {why}" for why, qs in reasons.items())
    return text


def _quarters(labels: Sequence[str]) -> str:
    """`2022-23Q1..2023-24Q4` for a run of consecutive quarters, else a list."""
    ordered = sorted(dict.fromkeys(labels))
    if len(ordered) > 2 and ordered == [p.label for p in periods.quarters_between(
            periods.fy_quarter(ordered[0]).start, periods.fy_quarter(ordered[-1]).start)]:
        return f"{ordered[0]}..{ordered[-1]}"
    return ", ".join(ordered)


def outcomes_from_audit(rows: Iterable[Mapping[str, Any]]) -> list[PartnerOutcome]:
    """`audit.exports` rows back as outcomes (for `vrn status` and a run's last lines)."""
    return [PartnerOutcome(
        r["partner"], r["fy_quarter"], r["outcome"], r["folder"], r.get("manifest_sha256"),
        r.get("reason") or "", r["published_at"],
        tuple((r.get("reason") or "").split(" | ")) if r["outcome"] == "blocked" else ())
        for r in rows]


def run_lines(rows: Iterable[Mapping[str, Any]], when: str = "this run") -> list[str]:
    """One line per partner for `audit.exports` rows (one run's, or each quarter's latest
    decision), partners in order."""
    by_partner: dict[str, list[PartnerOutcome]] = {}
    for o in outcomes_from_audit(rows):
        by_partner.setdefault(o.partner, []).append(o)
    return [partner_line(p, outs, when) for p, outs in by_partner.items()]
