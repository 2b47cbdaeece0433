"""Which partners get a profile, and its two files.

DESIGN.md "Partner exports": CSP partners and `opcc` get `profile.html` and
`profile.pdf`; nobody else. The opcc's strategic needs assessment profile lives in
`exports.profiles.sna` (`build_sna_profile`); until that module exists opcc gets none.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from exports.profiles.document import Document

HTML_NAME = "profile.html"
PDF_NAME = "profile.pdf"
SNA_PARTNER = "opcc"


def _sna_builder() -> Callable[[Any, Any], Document] | None:
    try:
        module = importlib.import_module("exports.profiles.sna")
    except ModuleNotFoundError as error:
        if error.name != "exports.profiles.sna":
            raise  # the module is there but something it imports is not: say so
        return None
    return getattr(module, "build_sna_profile", None)


def gets_profile(partner: str) -> bool:
    return partner.startswith("csp-") or (partner == SNA_PARTNER and _sna_builder() is not None)


def build_profile(export: Any, built: Any) -> Document | None:
    """The partner's profile (`exports.publish.Export`, `Built`), or None if it gets none."""
    partner = export.partner.name
    if partner.startswith("csp-"):
        from exports.profiles.csp import build_csp_profile

        return build_csp_profile(export, built)
    if partner == SNA_PARTNER and (make := _sna_builder()) is not None:
        return make(export, built)
    return None


def render_document(doc: Document) -> dict[str, bytes]:
    from exports.profiles.html import html_bytes
    from exports.profiles.pdf import pdf_bytes

    return {HTML_NAME: html_bytes(doc), PDF_NAME: pdf_bytes(doc)}


def render_profile_files(export: Any, built: Any) -> dict[str, bytes]:
    """`profile.html` and `profile.pdf` for the partner, or nothing when it gets none."""
    doc = build_profile(export, built)
    return render_document(doc) if doc is not None else {}


def profile_from_warehouse(warehouse: Any, catalog: Any, partner: str, fy_quarter: str,
                           say: Callable[[str], None] = lambda _: None) -> dict[str, bytes]:
    """One partner's profile files for one quarter, read over a read-only connection
    and built as `exports.publish` builds the export (no publication, no audit row).

    A quick look, so a warehouse built before one of the partner's `pub_` models was
    added still gives a profile: the sections of the missing tables are left out (said)."""
    from dataclasses import replace

    from exports.publish import build, select_export
    from exports.warehouse import read_only, read_published

    chosen = catalog.partner(partner)
    with read_only(warehouse) as con:
        built_tables = {r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'publish'"
        ).fetchall()}
        absent = [t.model for t in chosen.tables if t.model not in built_tables]
        if absent:
            say(f"not in this warehouse (rebuild with `vrn run`), left out: {', '.join(absent)}")
            chosen = replace(chosen, tables=tuple(t for t in chosen.tables
                                                  if t.model in built_tables))
        pub = read_published(con, chosen.tables, [chosen.name])
    if fy_quarter not in pub.quarters:
        raise ValueError(f"quarter {fy_quarter!r} is not exported by the warehouse; export "
                         f"quarters: {', '.join(pub.quarters)}")
    export = select_export(pub, chosen, fy_quarter)
    return render_profile_files(export, build(export))
