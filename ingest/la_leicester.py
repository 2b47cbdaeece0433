"""Leicester City Council (unitary); CSV extracts in UTF-8.

Every council's files share one reader (`ingest.councils`); this module names the folder.
"""

from ingest.councils import ENTITIES, Council

COUNCIL = Council("E06000016")
LA_CODE = COUNCIL.la_code
SOURCE = COUNCIL.source
parse = COUNCIL.parse
read_file = COUNCIL.read_file

__all__ = ["ENTITIES", "LA_CODE", "SOURCE", "parse", "read_file"]
