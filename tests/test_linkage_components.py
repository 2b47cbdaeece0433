"""The clustering step of the linkage (`linkage.model._connected_components`): each linked
record with the smallest record number of its connected component, checked against a
union-find written out here, on graphs the scored pairs can make (long chains, random graphs,
repeated and reversed pairs, record numbers with gaps) and on no pairs at all."""

from __future__ import annotations

import itertools
import random

import duckdb
import pandas as pd
import pytest

from linkage.model import _connected_components


def expected_roots(pairs: list[tuple[int, int]]) -> dict[int, int]:
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)  # the smaller record is the root
    return {x: find(x) for x in parent}


def components_of(pairs: list[tuple[int, int]]) -> dict[int, int]:
    con = duckdb.connect()
    frame = pd.DataFrame(pairs, columns=["record_no_l", "record_no_r"], dtype="int64")
    con.register("frame", frame)
    con.execute("create table pairs as select * from frame")
    _connected_components(con, "pairs")
    found = con.execute("select record_no, root_no from components").fetchall()
    con.close()
    assert len(found) == len({r for r, _ in found}), "a record in two components"
    return dict(found)


def test_no_pairs_no_components():
    assert components_of([]) == {}


def test_a_chain_reversed_pairs_and_a_repeat_are_one_component_under_its_smallest_record():
    chain = [(n + 1, n) for n in range(200, 1, -1)]  # 2..201, each pair backwards
    assert components_of([*chain, (5, 6), (5, 6)]) == {n: 2 for n in range(2, 202)}


def test_records_no_pair_reaches_are_not_in_any_component():
    found = components_of([(3, 9), (9, 40), (100, 70)])
    assert found == {3: 3, 9: 3, 40: 3, 70: 70, 100: 70}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_graphs_match_a_union_find(seed):
    rng = random.Random(seed)
    numbers = rng.sample(range(1, 5_000), 1_500)  # gaps, as duplicates dropped leave
    pairs = [(rng.choice(numbers), rng.choice(numbers)) for _ in range(1_200)]
    pairs += [(numbers[i], numbers[i + 1]) for i in range(300, 600)]  # one long path
    assert components_of(pairs) == expected_roots(pairs)


def test_a_long_path_numbered_at_random_is_one_component():
    numbers = list(range(1, 20_001))
    random.Random(4).shuffle(numbers)
    pairs = list(itertools.pairwise(numbers))
    assert components_of(pairs) == {n: 1 for n in numbers}
