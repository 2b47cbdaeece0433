"""A profile as data: sections of blocks that both renderers take, so `profile.html` and
`profile.pdf` carry the same content. No figure is computed here: every value is text
already formatted from a published (disclosure-controlled) cell."""

from __future__ import annotations

from dataclasses import dataclass, field

from exports.profiles.charts import ChartSpec, text_alternative


@dataclass(frozen=True)
class Tile:
    """One headline figure: its value, the change on the same window a year earlier and
    the rate per 1,000 residents, each already in words or `[c]`/`not available`."""

    label: str
    value: str
    change: str
    rate: str
    period: str
    source: str = ""  # the CSV the figures are in, e.g. `sv_by_area.csv`


@dataclass(frozen=True)
class Headlines:
    tiles: tuple[Tile, ...]


@dataclass(frozen=True)
class Paragraph:
    text: str
    # A generated sentence whose numbers are figures of the CSVs (`source` the one they
    # come from, when one does): the page marks it so every number in it is checked.
    figures: bool = False
    source: str = ""


@dataclass(frozen=True)
class Chart:
    spec: ChartSpec
    note: str = ""  # what a reader needs beside the chart (e.g. what `[c]` means there)

    @property
    def title(self) -> str:
        return self.spec.title

    @property
    def alt(self) -> str:
        return text_alternative(self.spec)


@dataclass(frozen=True)
class Table:
    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    # Columns holding figures (right-aligned); the first column labels the row.
    numeric: tuple[bool, ...] = ()
    source: str = ""  # the CSV the cells are in, e.g. `sv_by_month.csv`

    def is_numeric(self, i: int) -> bool:
        return self.numeric[i] if i < len(self.numeric) else i > 0


Block = Headlines | Paragraph | Chart | Table


@dataclass(frozen=True)
class Section:
    heading: str
    blocks: tuple[Block, ...]
    key: str = ""  # a stable anchor for the contents list


@dataclass(frozen=True)
class Document:
    title: str
    subtitle: str
    author: str
    sections: tuple[Section, ...]
    language: str = "en-GB"
    subject: str = ""
    keywords: tuple[str, ...] = field(default=())

    def charts(self) -> list[Chart]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Chart)]
