"""A concise console logger: one line per thing a person running `vrn run` cares about.

Dagster's default console logger prints every engine event at DEBUG with run ids and
pids; a data engineer wants the step and what it did ("police: 4 files loaded").
"""

import logging
import re
import sys

from dagster import Field, logger

NOISY_PREFIXES = ("Started execution of step", "Finished execution of step", "Yielded output",
                  "Materialized value", "Executing steps", "Finished steps", "Started execution")


class ConciseFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        meta = getattr(record, "dagster_meta", {}) or {}
        message = meta.get("orig_message") or record.getMessage()
        step = meta.get("step_key") or ""
        stamp = self.formatTime(record, "%H:%M:%S")
        level = "" if record.levelno <= logging.INFO else f"{record.levelname}: "
        return f"{stamp} {step + ': ' if step else ''}{level}{message}"


# dbt prints a START line before every node's result line; the result line is enough.
DBT_START_LINE = re.compile(r"^\d+ of \d+ START ")


class DropEngineChatter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        meta = getattr(record, "dagster_meta", {}) or {}
        message = str(meta.get("orig_message") or record.getMessage())
        return not (message.startswith(NOISY_PREFIXES) or DBT_START_LINE.match(message))


@logger(
    config_schema={"log_level": Field(str, is_required=False, default_value="INFO")},
    description="Concise console output for vrn runs.",
)
def concise_console(init_context) -> logging.Logger:
    level = logging.getLevelName(init_context.logger_config["log_level"].upper())
    out = logging.Logger("vrn", level=level)
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(ConciseFormatter())
    handler.addFilter(DropEngineChatter())
    out.addHandler(handler)
    return out
