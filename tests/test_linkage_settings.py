"""The linkage model file: versioned, explained, and blocking that misses nothing it could
link (linkage/settings/person_linkage.yaml)."""

from __future__ import annotations

import itertools
import math
import re
from datetime import date, timedelta

import duckdb
import pytest

from linkage.model import level_case_sql, load_settings


@pytest.fixture(scope="module")
def settings():
    return load_settings()


def test_settings_have_a_version_and_explain_every_comparison(settings):
    assert re.fullmatch(r"\d+\.\d+\.\d+", settings.version)
    for comparison in settings.comparisons:
        assert len(str(comparison.get("why", ""))) > 40, comparison["name"]
        levels = [lv for lv in comparison["levels"] if not lv.get("null_level")]
        for key in ("m", "u"):
            probabilities = [float(lv[key]) for lv in levels]
            assert all(0 < p < 1 for p in probabilities), (comparison["name"], key)
            assert math.fsum(probabilities) == pytest.approx(1.0), (comparison["name"], key)


def test_splink_accepts_the_settings(settings):
    from splink import DuckDBAPI, Linker

    con = duckdb.connect()
    con.execute("""create table linkable_records as select 1::bigint as record_no,
        'a' as tok_surname, 'b' as tok_forename, 'c' as tok_dob, 'M' as sex,
        date '2000-01-01' as birth_from, date '2000-12-31' as birth_to,
        2000 as birth_year_from, 2000 as birth_year_to, 'LE1' as postcode_district,
        'police' as local_system, 'P1' as local_id""")
    linker = Linker("linkable_records", settings.splink_settings(), DuckDBAPI(connection=con),
                    set_up_basic_logging=False)
    assert linker.misc.save_model_to_json()["probability_two_random_records_match"] == (
        settings.probability_two_random_records_match)


def _side(token_level: str, value: str) -> tuple[str | None, str | None]:
    return {
        "agree": (value, value),
        "disagree": (value, value + "x"),
        "missing": (value, None),
    }[token_level]


def _pair(surname: str, forename: str, dob: str, agency: str) -> dict[str, object]:
    """Two records realising one combination of levels, all else at its most favourable
    (sex and postcode agree)."""
    s_l, s_r = _side(surname, "s")
    f_l, f_r = _side(forename, "f")
    born = date(2005, 3, 4)
    window = (born - timedelta(days=100), born + timedelta(days=264))
    if dob == "ages_fit":  # tokens differ, the ages both fit
        d_l, d_r, w_l, w_r = "d", "dx", window, window
    else:  # agree / disagree / missing, with no ages to check
        (d_l, d_r), w_l, w_r = _side(dob, "d"), (None, None), (None, None)
    system_r = "police" if agency != "missing" else "la:E06000016"
    id_r = "P1" if agency == "agree" else "P2"
    return {
        "tok_surname_l": s_l, "tok_surname_r": s_r,
        "tok_forename_l": f_l, "tok_forename_r": f_r,
        "tok_dob_l": d_l, "tok_dob_r": d_r,
        "birth_from_l": w_l[0], "birth_to_l": w_l[1],
        "birth_from_r": w_r[0], "birth_to_r": w_r[1],
        "sex_l": "M", "sex_r": "M", "postcode_district_l": "LE3", "postcode_district_r": "LE3",
        "local_system_l": "police", "local_system_r": system_r,
        "local_id_l": "P1", "local_id_r": id_r,
    }


def test_blocking_rules_hold_every_pair_the_model_can_link(settings):
    """Blocking is the model's speed at scale 20; it must never be its recall. Every
    combination of token and agency-number levels the weights can link (with sex and
    postcode agreeing, the best case) must be caught by at least one blocking rule."""
    con = duckdb.connect()
    prior = math.log2(settings.probability_two_random_records_match
                      / (1 - settings.probability_two_random_records_match))
    needed = math.log2(settings.threshold_match_probability
                       / (1 - settings.threshold_match_probability))
    weights = {
        (c["name"], lv["label"]): math.log2(float(lv["m"]) / float(lv["u"]))
        for c in settings.comparisons for lv in c["levels"] if not lv.get("null_level")
    }
    linkable = 0
    for combo in itertools.product(("agree", "disagree", "missing"), repeat=2):
        for dob, agency in itertools.product(
            ("agree", "ages_fit", "disagree", "missing"), ("agree", "disagree", "missing")
        ):
            pair = _pair(*combo, dob, agency)
            columns = ", ".join(f"${k}::{'date' if 'birth' in k else 'varchar'} as {k}"
                                for k in pair)
            levels = ", ".join(f"{level_case_sql(c)} as \"{c['name']}\""
                               for c in settings.comparisons)
            row = con.execute(f"select {levels} from (select {columns})", pair).fetchall()[0]
            total = prior + sum(weights.get((c["name"], level), 0.0)
                                for c, level in zip(settings.comparisons, row, strict=True))
            if total < needed:
                continue
            linkable += 1
            rules = " or ".join(f"({' '.join(rule.split())})" for rule in settings.blocking_rules)
            rules = re.sub(r"\b([lr])\.(\w+)", r"\2_\1", rules)
            blocked = con.execute(f"select {rules} from (select {columns})", pair).fetchall()
            assert blocked[0][0], f"linkable but never compared: {combo} dob={dob} {agency}"
    assert linkable > 0
