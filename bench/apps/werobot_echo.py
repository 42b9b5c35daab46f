"""Baseline: WeRoBot with its defaults (session storage on: its SQLiteStorage, one file for every worker, as
the default puts it in the working directory), echoing text back, in safe mode."""

import os
import tempfile

from werobot import WeRoBot
from werobot.session.sqlitestorage import SQLiteStorage

robot = WeRoBot(token=os.environ["WECHAT_TOKEN"], encoding_aes_key=os.environ["WECHAT_AES_KEY"],
                app_id=os.environ["WECHAT_APPID"],
                session_storage=SQLiteStorage(os.path.join(os.environ.get("BENCH_DIR", tempfile.gettempdir()),
                                                           "werobot_session.sqlite3")))


@robot.text
def echo(message):
    return message.content


@robot.handler
def other(message):
    return "收到"


app = robot.wsgi


@app.get("/healthz")
def healthz():
    return {"ok": True}
