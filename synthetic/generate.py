"""`vrn generate`: a synthetic landing drop that looks and behaves like partners' files.

One call writes every source's files for every financial-year quarter (and academic or
financial year) of the period into the landing folder, and the truth beside it (never
inside it): the people behind the tokens, which record is whose, the planted cohort,
every defect injected and a manifest of the landing files. The same seed and options
give byte-identical files.
"""

from __future__ import annotations

import hashlib
import importlib
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from synthetic import councils, police
from synthetic.common import CsvOut, FileStyle, GenContext, write_json
from synthetic.persons import (
    DISTRICT_LA,
    DISTRICTS,
    FACTORS,
    CohortPlan,
    PersonRegistry,
    Population,
    day_date,
    day_number,
    plan_cohort,
)
from vrn.periods import quarters_between

# Sources written by other modules (each exposes `write(ctx)`), in this order.
OTHER_SOURCES = ("synthetic.opcc", "synthetic.health", "synthetic.commissioning",
                 "synthetic.policeuk")
LANDING_SOURCES = ("police", "opcc", "health", "la", "commissioning", "policeuk")
TRUTH_FILES = ("persons.csv", "person_records.csv", "cohort.csv", "defects.json",
               "manifest.json", "resends")


def default_truth(out: Path) -> Path:
    """`data/landing` -> `data/landing.truth`: beside the landing folder, never in it."""
    return out.with_name(out.name + ".truth")


def generate(out: Path, *, seed: int = 42, scale: float = 1.0,
             start: date = date(2019, 4, 1), end: date = date(2025, 3, 31),
             defects: float = 0.0, truth: Path | None = None,
             progress: Callable[[str], None] | None = None,
             overwrite: bool = False) -> dict[str, Any]:
    """Write the drop; returns a summary (files written, rows per entity, truth path).

    `overwrite` clears the source folders of an earlier drop in `out` (and the truth
    folder) first; without it a landing folder that already holds files is refused, so
    nothing is overwritten silently.
    """
    out = Path(out).resolve()
    truth = Path(truth).resolve() if truth is not None else default_truth(out)
    _check_options(out, truth, scale, start, end, defects)
    _prepare(out, truth, overwrite)
    ctx = GenContext(out=out, truth=truth, seed=seed, scale=scale, start=start, end=end,
                     defect_rate=defects, progress=progress)
    pop = Population(seed, scale)
    quarters = quarters_between(start, end)
    bounds = [(max(day_number(q.start), day_number(start)), min(day_number(q.end),
                                                                 day_number(end)))
              for q in quarters]
    homicides = police.plan_homicides(ctx, ctx.rng("homicides"))
    avoid: dict[str, tuple[int, int]] = {}
    if defects > 0:
        chosen = police.defect_files(quarters)
        avoid["earlier_custody"] = bounds[chosen["bad_header_custody"]]
        avoid["looked_after"] = bounds[chosen["raw_identifier_cla"]]
    plan = plan_cohort(pop, ctx.rng("cohort"), bounds, day_number(start), day_number(end),
                       [(h.day, h.code, h.district, h.young_suspect) for h in homicides],
                       avoid)
    ctx.tick("planned the population and the cohort")
    registry = PersonRegistry(pop, truth)
    defect_planner = police.Defects(ctx)
    police_summary = police.write(ctx, pop, registry, plan, homicides)
    council_summary = councils.write(ctx, pop, registry, plan, defect_planner)
    known_rows = {**police_summary["file_rows"], **council_summary["file_rows"]}
    for name in OTHER_SOURCES:
        module = _import_optional(name)
        if module is None:
            ctx.tick(f"{name} is not installed; its files are not written")
            continue
        module.write(ctx)
    persons = registry.close()
    write_cohort(truth, plan)
    defects_json = ctx.log.to_json()
    defects_json["orphans_by_file"] = dict(sorted(police_summary["orphans"].items()))
    defects_json["orphans_total"] = sum(police_summary["orphans"].values())
    write_json(truth / "defects.json", defects_json)
    files = landing_files(out, known_rows)
    manifest = {
        "options": {"seed": seed, "scale": scale, "start": start.isoformat(),
                    "end": end.isoformat(), "defects": defects},
        "files": files,
        "truth": {"persons": persons, "person_records": registry.records,
                  **cohort_summary(plan)},
    }
    write_json(truth / "manifest.json", manifest)
    ctx.tick("wrote the truth and the manifest")
    rows: dict[str, int] = {}
    for f in files:
        entity = _entity_of(f["file"])
        if entity and f["rows"] is not None:
            rows[entity] = rows.get(entity, 0) + f["rows"]
    return {"landing": str(out), "truth": str(truth),
            "files": [f["file"] for f in files], "file_count": len(files),
            "rows": dict(sorted(rows.items())), "persons": persons,
            "cohort_members": len(plan.members)}


def _check_options(out: Path, truth: Path, scale: float, start: date, end: date,
                   defects: float) -> None:
    if end < start:
        raise ValueError(f"--end {end} is before --start {start}")
    if not 0 < scale <= 100:
        raise ValueError(f"--scale {scale}: expected a number above 0 (1.0 is LLR's volume)")
    if not 0 <= defects < 0.5:
        raise ValueError(f"--defects {defects}: expected a rate from 0 to 0.5 (e.g. 0.02)")
    if truth == out or out in truth.parents:
        raise ValueError(f"the truth folder {truth} must not be inside the landing folder "
                         f"{out}: the warehouse would read it")


def _prepare(out: Path, truth: Path, overwrite: bool) -> None:
    existing = [p for p in out.rglob("*") if p.is_file()] if out.exists() else []
    if existing and not overwrite:
        raise FileExistsError(
            f"{out} already holds {len(existing)} files; generate into an empty folder "
            "(or pass overwrite=True to replace an earlier drop)")
    if overwrite:
        for name in LANDING_SOURCES:
            if (out / name).exists():
                shutil.rmtree(out / name)
    # The truth folder is ours: an earlier run's truth files are replaced (only those).
    for name in TRUTH_FILES:
        target = truth / name
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
    out.mkdir(parents=True, exist_ok=True)
    truth.mkdir(parents=True, exist_ok=True)


def _import_optional(name: str) -> Any:
    """Import a sibling source module; None only when that module does not exist."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as e:
        if e.name == name:
            return None
        raise


def _entity_of(rel: str) -> str | None:
    stem = Path(rel).stem
    if "_" not in stem:
        return None
    head = stem.rsplit("_", 1)[0]
    return head if not head[:4].isdigit() else "policeuk_street"


def landing_files(out: Path, known_rows: dict[str, int] | None = None
                  ) -> list[dict[str, Any]]:
    """Every file under the landing folder: path, size, SHA-256 and data rows (from the
    writer where it said; counted for CSV otherwise; null for workbooks not ours)."""
    known_rows = known_rows or {}
    files = []
    for p in sorted(out.rglob("*")):
        if not p.is_file() or p.name.startswith("."):
            continue
        rel = p.relative_to(out).as_posix()
        digest = hashlib.sha256()
        lines = 0
        last = b"\n"
        size = 0
        with p.open("rb") as f:
            while chunk := f.read(1 << 20):
                digest.update(chunk)
                lines += chunk.count(b"\n")
                last = chunk[-1:]
                size += len(chunk)
        if rel in known_rows:
            rows: int | None = known_rows[rel]
        elif p.suffix == ".csv":
            rows = max(lines + (0 if last == b"\n" or size == 0 else 1) - 1, 0)
        else:
            rows = None
        files.append({"file": rel, "sha256": digest.hexdigest(), "bytes": size, "rows": rows})
    return files


COHORT_HEADER = ("person_id", "index_date", "index_offence_code", "index_crime_ref",
                 "murder_attempted_murder", "district_code", "la_code", *FACTORS,
                 "factor_count")


def write_cohort(truth: Path, plan: CohortPlan) -> None:
    """The planted cohort exactly: each member's index crime and the date of the record
    that carries each of their factors (the DESIGN.md cohort definition's dates)."""
    with CsvOut(truth / "cohort.csv", COHORT_HEADER, FileStyle()) as w:
        for m in plan.members:
            crime = plan.crimes[m.crime]
            dates = [day_date(m.factors[f]).isoformat() if f in m.factors else ""
                     for f in FACTORS]
            w.write((m.person_id, day_date(m.index_day).isoformat(), crime.code,
                     crime.crime_ref, "Y" if m.murder_attempted else "N",
                     DISTRICTS[m.district], DISTRICT_LA[m.district], *dates,
                     sum(1 for d in dates if d)))


def cohort_summary(plan: CohortPlan) -> dict[str, float]:
    counts = np.array([len(m.factors) for m in plan.members])
    murder = np.array([m.murder_attempted for m in plan.members], bool)
    return {"members": len(counts), "avg_factors": float(counts.mean()) if len(counts) else 0.0,
            "avg_factors_murder": float(counts[murder].mean()) if murder.any() else 0.0}
