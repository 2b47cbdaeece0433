"""A concise console logger: one line per thing a person running `vrn run` cares about.

Dagster's default console logger prints every engine event at DEBUG with run ids and
pids; a data engineer wants the step and what it did ("police: 4 files loaded").
"""

import logging
import sys

from dagster import Field, logger

NOISY_PREFIXES = ("Started execution of step", "Finished execution of step", "Yielded output",
                  "Materialized value", "Executing steps", "Finished steps", "Started execution",
                  # dagster-dbt's own notes on how it calls dbt (they stay in the run's log
                  # in the UI); dbt's output itself goes to a file (dbt_console.py).
                  "A dbt subsetted execution", "Copying `", "Running dbt command",
                  "Finished dbt command",
                  # One line per step downstream of a failure; the run's report names
                  # what was not updated once (orchestration/run.py).
                  "Dependencies for step")
# Dagster's list of every output a step did not yield (hundreds, for a failed dbt build).
NOISY_FRAGMENTS = ("did not yield or return expected outputs",)


class ConciseFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        meta = getattr(record, "dagster_meta", {}) or {}
        message = meta.get("orig_message") or record.getMessage()
        step = meta.get("step_key") or ""
        stamp = self.formatTime(record, "%H:%M:%S")
        level = "" if record.levelno <= logging.INFO else f"{record.levelname}: "
        return f"{stamp} {step + ': ' if step else ''}{level}{message}"


class DropEngineChatter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        meta = getattr(record, "dagster_meta", {}) or {}
        message = str(meta.get("orig_message") or record.getMessage())
        return not (message.startswith(NOISY_PREFIXES)
                    or any(fragment in message for fragment in NOISY_FRAGMENTS))


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
