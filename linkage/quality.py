"""How good a linkage is, against the generator's truth.

Truth is `person_records.csv` of a generated drop (`<out>.truth/`): which true person each
source record belongs to. Only records present on both sides are scored: rows the ingest
quarantined never reach the linkage.

Pairwise: every pair of records put in one person is a predicted link; precision is the
share of predicted links that join one true person, recall the share of true same-person
pairs the linkage joined. Clusters (persons of two or more records, since a one-record
person is trivially right): precision is the share of linked persons whose records all
belong to one true person (nobody merged), recall the share of true persons whose
records all landed in one linked person (nobody split).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import duckdb
import pandas as pd


@dataclass(frozen=True)
class LinkageQuality:
    records_scored: int
    true_pairs: int
    predicted_pairs: int
    correct_pairs: int
    pairwise_precision: float
    pairwise_recall: float
    linked_persons: int  # predicted persons with two or more records
    pure_persons: int
    true_persons: int  # true persons with two or more records
    complete_persons: int
    cluster_precision: float
    cluster_recall: float

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


_SCORE_SQL = """
with scored as (
    select l.person_key, t.person_id
    from links l join truth t using (source, record_ref)
),
cells as (select person_key, person_id, count(*) as n from scored group by all),
predicted as (
    select person_key, sum(n) as n, count(distinct person_id) as true_ids
    from cells group by person_key
),
actual as (
    select person_id, sum(n) as n, count(distinct person_key) as keys
    from cells group by person_id
)
select
    (select count(*) from scored) as records_scored,
    (select coalesce(sum(n * (n - 1) // 2), 0) from actual) as true_pairs,
    (select coalesce(sum(n * (n - 1) // 2), 0) from predicted) as predicted_pairs,
    (select coalesce(sum(n * (n - 1) // 2), 0) from cells) as correct_pairs,
    (select count(*) from predicted where n > 1) as linked_persons,
    (select count(*) from predicted where n > 1 and true_ids = 1) as pure_persons,
    (select count(*) from actual where n > 1) as true_persons,
    (select count(*) from actual where n > 1 and keys = 1) as complete_persons
"""


def _share(part: int, whole: int) -> float:
    """1.0 when there is nothing to get wrong."""
    return 1.0 if whole == 0 else part / whole


def score_linkage(links: pd.DataFrame, truth: pd.DataFrame) -> LinkageQuality:
    """`links`: source, record_ref, person_key; `truth`: source, record_ref, person_id."""
    con = duckdb.connect()
    try:
        con.register("links", links[["source", "record_ref", "person_key"]])
        con.register("truth", truth[["source", "record_ref", "person_id"]].astype(str))
        row = con.execute(_SCORE_SQL).fetchall()[0]
    finally:
        con.close()
    assert row is not None
    (records_scored, true_pairs, predicted_pairs, correct_pairs, linked_persons,
     pure_persons, true_persons, complete_persons) = (int(v) for v in row)
    return LinkageQuality(
        records_scored=records_scored,
        true_pairs=true_pairs,
        predicted_pairs=predicted_pairs,
        correct_pairs=correct_pairs,
        pairwise_precision=_share(correct_pairs, predicted_pairs),
        pairwise_recall=_share(correct_pairs, true_pairs),
        linked_persons=linked_persons,
        pure_persons=pure_persons,
        true_persons=true_persons,
        complete_persons=complete_persons,
        cluster_precision=_share(pure_persons, linked_persons),
        cluster_recall=_share(complete_persons, true_persons),
    )

