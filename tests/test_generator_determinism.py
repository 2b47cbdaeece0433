"""Same seed and options, the same bytes; another seed, other data with the same
figures; the manifest names every landing file with its SHA-256 and rows."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import pytest

from synthetic.generate import default_truth, generate
from tests.figures import Drop

TINY = {"scale": 0.03, "start": date(2023, 4, 1), "end": date(2023, 9, 30), "defects": 0.02}


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("determinism")
    out = {}
    for name, seed, defects in (("a", 42, 0.02), ("b", 42, 0.02), ("c", 7, 0.02),
                                ("clean", 42, 0.0), ("clean7", 7, 0.0)):
        generate(base / name, seed=seed, **{**TINY, "defects": defects})
        out[name] = base / name
    return out


def test_same_seed_same_bytes(runs) -> None:
    a, b = runs["a"], runs["b"]
    assert tree(a) == tree(b)
    assert tree(default_truth(a)) == tree(default_truth(b))


def test_another_seed_other_data(runs) -> None:
    a, c = tree(runs["a"]), tree(runs["c"])
    assert a.keys() == c.keys()
    differ = [k for k in a if a[k] != c[k] and k.startswith(("police/", "la/"))]
    assert len(differ) > 10


def test_another_seed_the_same_planted_figures(runs) -> None:
    a, c = Drop(runs["clean"]), Drop(runs["clean7"])
    # Quotas, not chance, set the volumes; at this tiny scale the cohort's planted
    # crimes (their codes drawn per seed) can add one or two.
    sv_a, sv_c = a.sv_offences()["2023-24"], c.sv_offences()["2023-24"]
    assert abs(sv_a - sv_c) <= 2 + 0.01 * sv_a
    assert a.custody_detentions("2023-24") == c.custody_detentions("2023-24")
    assert len(a.rapes(date(2023, 4, 1), date(2023, 9, 30))) == len(
        c.rapes(date(2023, 4, 1), date(2023, 9, 30)))


def test_the_manifest_lists_every_landing_file(runs) -> None:
    root = runs["a"]
    manifest = json.loads((default_truth(root) / "manifest.json").read_text())
    assert manifest["options"]["seed"] == 42
    listed = {f["file"]: f for f in manifest["files"]}
    files = tree(root)
    assert set(listed) == set(files)
    for name, data in files.items():
        assert listed[name]["sha256"] == hashlib.sha256(data).hexdigest()
    crimes = listed["police/crimes_2023-24Q1.csv"]
    assert crimes["rows"] == files["police/crimes_2023-24Q1.csv"].count(b"\n") - 1


def test_a_landing_folder_with_files_is_not_overwritten(runs) -> None:
    with pytest.raises(FileExistsError):
        generate(runs["a"], seed=42, **TINY)


def test_the_truth_is_never_inside_the_landing_folder(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="truth"):
        generate(tmp_path / "landing", truth=tmp_path / "landing" / "truth", **TINY)
