"""Byte-stable workbooks: the same figures must give the same bytes.

Zip members carry their write time and openpyxl stamps the save time into
`docProps/core.xml` whatever the workbook's properties say; both the generator (same seed,
same bytes) and the exports (identical content is not re-published) pin them here.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime

FIXED_TIME = datetime(2020, 1, 1)
_ZIP_TIME = (2020, 1, 1, 0, 0, 0)
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*")


def pin_timestamps(workbook: bytes) -> bytes:
    """Rewrite a saved workbook with fixed member times and a fixed `modified` stamp."""
    src = zipfile.ZipFile(io.BytesIO(workbook))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = _MODIFIED.sub(rb"\g<1>2020-01-01T00:00:00Z", body)
            dst.writestr(fixed, body)
    return out.getvalue()
