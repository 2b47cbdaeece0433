"""Cross-agency linkage of people from pseudonymised tokens (issue 5/5).

Police crime people, custody detainees and the three councils' looked-after, protection
plan, absence and exclusion records each carry keyed-hash tokens of surname, forename and
date of birth (spec, General rules). `records` gathers them from `raw.*`; `model` links
them with Splink on DuckDB under the versioned model in `settings/person_linkage.yaml`,
adds the force's own master index (police records sharing a person_ref are one person,
tokens or not: issue 2/6) and writes `linkage.person_links`; `quality` scores a
linkage against a generated drop's truth. How the model's m/u numbers were estimated
(once, offline, from the generator's truth) is `tools/train_linkage.py`; hand-made raw
records for the tests are in `tests/support/linkage_records.py`. The warehouse never
needs or holds the key, names or dates of birth.
"""
