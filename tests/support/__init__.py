"""Test support shared by the tests (hand-made partner files, raw person records with
known truth, ...). It lives under `tests/` so that the warehouse packages cannot come to
depend on it (`tests/test_package_imports.py` checks)."""
