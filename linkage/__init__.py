"""Cross-agency linkage of people from pseudonymised tokens (issue 5/5).

Police crime people, custody detainees and the three councils' looked-after, protection
plan, absence and exclusion records each carry keyed-hash tokens of surname, forename and
date of birth (spec, General rules). `records` gathers them, `model` links them with Splink
on DuckDB under versioned parameters (`settings/`), `quality` scores a linkage against the
generator's truth. The warehouse never needs or holds the key, names or dates of birth.
"""
