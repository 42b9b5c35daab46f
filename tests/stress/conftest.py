"""The stress suite: short in CI (the default), long locally with LAOXIAO_STRESS=long.

    pytest tests/stress                       # short: what CI runs, about a minute
    LAOXIAO_STRESS=long pytest tests/stress   # long: bigger storms, more kills, more fuzzing
"""

from __future__ import annotations

import os

import pytest

LONG = os.environ.get("LAOXIAO_STRESS", "short").lower() == "long"


def scaled(short: int, long: int) -> int:
    return long if LONG else short


@pytest.fixture
def stress_env(env, tmp_path) -> dict[str, str]:
    """The test settings plus what real processes need: no quiet hours, backups under tmp."""
    return {**env, "LAOXIAO_BACKUP_DIR": str(tmp_path / "backups"), "LAOXIAO_LOG_LEVEL": "INFO",
            "LAOXIAO_SECRET_KEY": "stress"}
