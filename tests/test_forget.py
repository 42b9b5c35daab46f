"""Deletion on request: a recipient's or a resident's personal data goes, the evaluation's counts stay."""

from __future__ import annotations

import json

from bot.cli import cli
from data import audit, recipients, visits
from data import requests as reqs
from tests.test_export import NOW, data  # noqa: F401 (the export test's small world)


def test_forgetting_a_recipient_keeps_the_visit_counts_and_erases_the_rest(runner, db, data):  # noqa: F811
    wang = next(r for r in db.query("SELECT * FROM recipients WHERE name = '王秀兰'"))
    before = [(v["visit_date"], v["mode"], v["outcome"]) for v in db.query(
        "SELECT * FROM visits WHERE recipient_id = ? ORDER BY id", [wang["id"]])]
    refused = runner.invoke(cli, ["forget", "recipient", str(wang["id"])])
    assert refused.exit_code != 0 and "--reason" in refused.output
    result = runner.invoke(cli, ["forget", "recipient", str(wang["id"]), "--reason", "本人电话要求，社工马丽记录"])
    assert result.exit_code == 0, result.output
    after = recipients.get_recipient(db, wang["id"])
    assert after["name"] == f"已删除{wang['id']}" and not after["active"]
    assert (after["phone"], after["guardian"], after["address"], after["id_number_hash"]) == (None,) * 4
    assert after["birth_date"] == "1940-01-01" and after["kind"] == "elder" and after["site_id"] == wang["site_id"]
    rows = list(db.query("SELECT * FROM visits WHERE recipient_id = ? ORDER BY id", [wang["id"]]))
    assert [(v["visit_date"], v["mode"], v["outcome"]) for v in rows] == before  # the counts stay
    assert {v["findings"] for v in rows} == {"（已按本人要求删除）"} and {v["needs"] for v in rows} == {None}
    exported = json.dumps(list(visits.export_rows(db)), ensure_ascii=False)
    assert "血压有点高" not in exported and "降压药" not in exported
    [entry] = audit.entries(db, f"recipient:{wang['id']}")[-1:]
    assert entry["action"] == "forget_recipient" and "本人电话要求" in entry["detail"]
    assert "13709531234" not in entry["detail"]


def test_forgetting_a_resident_keeps_their_requests_counted(runner, db, wechat):
    wechat.say("fam-forget", "我一个人住，屋顶漏雨了，电话13709531234")
    result = runner.invoke(cli, ["forget", "person", "fam-forget", "--reason", "本人要求"])
    assert result.exit_code == 0, result.output
    texts = [row[0] for row in db.execute("SELECT content FROM inbound WHERE openid = 'fam-forget'")]
    assert texts and all(t is None for t in texts)
    assert db.execute("SELECT COUNT(*) FROM conversations").fetchone() == (0,)
    assert "没有这个人" in runner.invoke(cli, ["forget", "person", "nobody", "--reason", "x"]).output
    assert reqs.export_rows(db) == [] or all("13709531234" not in str(r) for r in reqs.export_rows(db))
