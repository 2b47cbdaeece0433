"""Byte-stable workbooks: the same figures must give the same bytes.

Zip members carry their write time and openpyxl stamps the save time into
`docProps/core.xml` whatever the workbook's properties say; both the generator (same seed,
same bytes) and the exports (identical content is not re-published) pin them here.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from datetime import datetime

FIXED_TIME = datetime(2020, 1, 1)
_ZIP_TIME = (2020, 1, 1, 0, 0, 0)
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*")


def pin_timestamps(workbook: bytes, *, attributes: int | None = None,
                   core: Callable[[bytes], bytes] | None = None) -> bytes:
    """Rewrite a saved workbook with fixed member times and a fixed `modified` stamp.

    `attributes`, when given, pins every member's external attributes too, and `core`
    edits `docProps/core.xml` further: what the exports add (exports.render.finish_workbook)
    is done in the same pass, so each member is inflated and deflated once."""
    src = zipfile.ZipFile(io.BytesIO(workbook))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr if attributes is None else attributes
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = _MODIFIED.sub(rb"\g<1>2020-01-01T00:00:00Z", body)
                if core is not None:
                    body = core(body)
            dst.writestr(fixed, body)
    return out.getvalue()
