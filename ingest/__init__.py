"""Partner extracts from the landing folder into DuckDB's `raw`, `quarantine` and `audit`.

One module per source (`police`, `opcc`, `health`, the three councils, `commissioning`,
`policeuk`) turns a file into rows without touching the warehouse; `load.ingest_landing`
is the only code that writes it. `SOURCES` are the landing folders the spec names, in the
order files are loaded.
"""

SOURCES: tuple[str, ...] = (
    "police",
    "opcc",
    "health",
    "la/E06000016",
    "la/E10000018",
    "la/E06000017",
    "commissioning",
    "policeuk",
)
