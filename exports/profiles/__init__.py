"""Partner profiles: a profile as data (`document`), its charts (`charts`), and the two
renderings of the same content, `profile.html` (`html`) and `profile.pdf` (`pdf`).

DESIGN.md "Profiles": every figure comes from the same disclosure-controlled tables as
the CSVs (`exports.publish.Built.published`); a `[c]` is never drawn, printed or
recoverable from a chart.
"""

from exports.profiles.profile import (
    HTML_NAME,
    PDF_NAME,
    build_profile,
    render_profile_files,
)

__all__ = ["HTML_NAME", "PDF_NAME", "build_profile", "render_profile_files"]
