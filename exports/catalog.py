"""What each partner receives, read from the dbt manifest: the one list.

DESIGN.md "Published tables live in the warehouse": every partner table is a dbt model
`pub_<table>` and the dbt `exposures` name, per partner, the `pub_` models it receives.
This module reads both from `manifest.json` — the exposures (`meta.partner`) for who
gets what, each model's YAML for its published columns, descriptions and disclosure
shape (`config.meta.publish`) — so nothing about a table is written again in Python.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from exports.shapes import ColumnSum, Link, Margin, MeasureSum, RateOver, TableShape
from vrn.manifest import read_manifest
from vrn.reference import seed_rows

PUBLISH_PREFIX = "pub_"
# Columns of a `pub_` model that place or order a row but are not published
# (dbt_project/models/publish/__docs.md).
BOOKKEEPING = frozenset({"export_quarter", "partner", "missing", "is_sum_of_periods",
                         "row_order", "draws_from", "draws_to"})
KINDS = ("police_council", "health", "public")


class CatalogError(ValueError):
    """The manifest does not describe the exports completely (a YAML mistake)."""


@dataclass(frozen=True)
class PublishedTable:
    name: str  # the CSV and sheet name, e.g. `icv_visits`
    model: str  # the dbt model, e.g. `pub_icv_visits`
    kind: str  # police_council | health: one kind of figure a table
    columns: tuple[str, ...]  # as published, in order
    shape: TableShape
    description: str
    column_descriptions: Mapping[str, str] = field(compare=False)
    may_be_empty: bool = False
    partner_scoped: bool = False  # rows carry a `partner` column (CSP tables)

    @property
    def relation(self) -> str:
        return f"publish.{self.model}"


@dataclass(frozen=True)
class Partner:
    name: str  # folder name, e.g. `csp-charnwood`
    label: str
    description: str
    owner: str
    tables: tuple[PublishedTable, ...]


@dataclass(frozen=True)
class Catalog:
    partners: tuple[Partner, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.partners)

    def partner(self, name: str) -> Partner:
        for p in self.partners:
            if p.name == name:
                return p
        raise ValueError(f"unknown partner {name!r}; expected one of {', '.join(self.names)}")

    @property
    def tables(self) -> tuple[PublishedTable, ...]:
        seen: dict[str, PublishedTable] = {}
        for p in self.partners:
            for t in p.tables:
                seen.setdefault(t.name, t)
        return tuple(seen.values())


def _seed_sums(service: str) -> tuple[ColumnSum, ...]:
    """Seed ref_service_return_sums: the splits of a return that add up to a total (the
    ingest checks every return against the same rows)."""
    rows = sorted((r for r in seed_rows("ref_service_return_sums") if r["service"] == service),
                  key=lambda r: int(r["check_order"]))
    return tuple(ColumnSum(r["total"], tuple(r["parts"].split("|"))) for r in rows)


@cache
def measure_sums() -> tuple[MeasureSum, ...]:
    """Seed ref_publish_measure_sums: figures that are sums of others over the same days
    (sexual violence = rape + other sexual offences), which a reader of two tables can
    use (`exports.disclosure.protect_together`)."""
    return tuple(MeasureSum(r["total"], tuple(r["parts"].split("|")))
                 for r in seed_rows("ref_publish_measure_sums"))


def _link(raw: Mapping[str, Any]) -> Link:
    return Link(raw["column"], str(raw["measure"]),
                tuple((str(k), str(v)) for k, v in (raw.get("where") or {}).items()),
                raw.get("period", "period"), int(raw.get("years_earlier", 0)))


def _shape(model: str, meta: Mapping[str, Any]) -> TableShape:
    try:
        return TableShape(
            keys=tuple(meta["keys"]),
            counts=tuple(meta.get("counts") or ()),
            rates=tuple(RateOver(r["column"], tuple(r["over"])) for r in meta.get("rates") or ()),
            margins=tuple(Margin(m["column"], str(m["total"]),
                                 tuple(m["parts"]) if m.get("parts") else None,
                                 tuple(m.get("across") or ()), m.get("parent"))
                          for m in meta.get("margins") or ()),
            column_sums=tuple(ColumnSum(c["total"], tuple(c["parts"]))
                              for c in meta.get("column_sums") or ())
            + (_seed_sums(meta["column_sums_of_service"])
               if meta.get("column_sums_of_service") else ()),
            unavailable_when_blank=tuple(meta.get("unavailable_when_blank") or ()),
            links=tuple(_link(raw) for raw in meta.get("links") or ()),
        )
    except (KeyError, TypeError, ValueError) as e:
        raise CatalogError(f"{model}: config.meta.publish is incomplete ({e!r})") from None


def _table(node: Mapping[str, Any]) -> PublishedTable:
    model = node["name"]
    meta = (node.get("config") or {}).get("meta", {}).get("publish") or node.get(
        "meta", {}).get("publish")
    if not meta:
        raise CatalogError(f"{model}: no config.meta.publish in its YAML")
    columns = list(node.get("columns") or {})
    if not columns:
        raise CatalogError(f"{model}: its YAML lists no columns")
    published = tuple(c for c in columns if c not in BOOKKEEPING)
    kind = meta.get("kind")
    if kind not in KINDS:
        raise CatalogError(f"{model}: publish.kind {kind!r} is not one of {KINDS}")
    shape = _shape(model, meta)
    unknown = [c for c in (*shape.keys, *shape.counts) if c not in published]
    if unknown:
        raise CatalogError(f"{model}: publish keys/counts {unknown} are not published columns")
    for link in shape.links:
        if link.column not in shape.counts:
            raise CatalogError(f"{model}: link on {link.column!r}, which is not a count")
        unknown = [c for c, _ in link.where if c not in published]
        if unknown:
            raise CatalogError(f"{model}: link on {link.column!r} selects rows by {unknown}, "
                               "which are not published columns")
    return PublishedTable(
        name=model.removeprefix(PUBLISH_PREFIX), model=model, kind=kind, columns=published,
        shape=shape, description=" ".join((node.get("description") or "").split()),
        column_descriptions={c: " ".join((v.get("description") or "").split())
                             for c, v in node["columns"].items()},
        may_be_empty=bool(meta.get("may_be_empty", False)),
        partner_scoped="partner" in columns,
    )


def catalog_from_manifest(manifest: Mapping[str, Any]) -> Catalog:
    """Partners in the exposures' order, each with its tables in `depends_on` order."""
    nodes = manifest["nodes"]
    partners = []
    for exposure in manifest.get("exposures", {}).values():
        partner = (exposure.get("meta") or {}).get("partner") or (
            exposure.get("config") or {}).get("meta", {}).get("partner")
        if not partner:
            continue  # an analysts' exposure, not a partner export
        tables = []
        for node_id in exposure["depends_on"]["nodes"]:
            node = nodes[node_id]
            if not node["name"].startswith(PUBLISH_PREFIX):
                raise CatalogError(f"exposure {exposure['name']}: {node['name']} is not a "
                                   f"{PUBLISH_PREFIX} model; partners receive only those")
            tables.append(_table(node))
        partners.append(Partner(
            name=partner, label=exposure.get("label") or partner,
            description=" ".join((exposure.get("description") or "").split()),
            owner=(exposure.get("owner") or {}).get("name") or partner,
            tables=tuple(tables)))
    if len({p.name for p in partners}) != len(partners):
        raise CatalogError("two exposures name the same partner")
    # The manifest keeps no YAML order: CSPs first (the partners with most folders), then
    # the others, each by name, so runs and status list partners the same way each time.
    partners.sort(key=lambda p: (not p.name.startswith("csp-"), p.name))
    return Catalog(tuple(partners))


def load_catalog(manifest_path: Path) -> Catalog:
    return catalog_from_manifest(read_manifest(Path(manifest_path)))
