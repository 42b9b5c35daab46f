"""The app with one extra command for crash tests, for a real server process (`gunicorn tests.slow_app:app`).

「慢写 X」 writes an audit row, then takes SLOW_SECONDS (from the environment) before answering: long enough for
a test to kill the process while the message's transaction is open.
"""

from __future__ import annotations

import os
import time

from bot.app import create_app
from data import audit
from handlers.feature import Feature

feature = Feature("slow")


@feature.command("慢写")
def slow_write(ctx, rest: str) -> str:
    audit.record(ctx.db, ctx.now, ctx.openid, "slow_write", f"text:{rest}")
    time.sleep(float(os.environ.get("SLOW_SECONDS", "0")))
    return f"写好了：{rest}"


app = create_app(extra_features=(feature,))
