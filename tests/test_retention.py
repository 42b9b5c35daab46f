"""People's words are kept no longer than needed: the nightly job forgets old message text."""

from __future__ import annotations

from datetime import timedelta

import time_machine

from bot import jobs
from data.clock import utcnow
from tests.conversation import converse


def _texts(db, openid):
    return [r["content"] for r in db.query("SELECT content FROM inbound WHERE openid = ? ORDER BY rowid", [openid])]


def test_nightly_job_forgets_message_text_older_than_the_setting(wechat, db, settings):
    with time_machine.travel(utcnow() - timedelta(days=91)):
        converse(wechat, "old-sender", [("我的电话是13809511234，帮我问问低保", "求助")])
    converse(wechat, "old-sender", [("取消", "已作废")])
    assert settings.keep_messages_days == 90
    jobs.run_backup(db, settings, utcnow(), utcnow())
    assert _texts(db, "old-sender") == [None, "取消"]
    # The key stays, so a very late WeChat retry still changes nothing.
    assert db.execute("SELECT COUNT(*) FROM inbound WHERE openid = 'old-sender'").fetchone()[0] == 2
    assert any(settings.backup_dir.iterdir())
