"""Scoring visit notes end to end: each note goes through the real callback as the director or worker would send it,
is confirmed if laoxiao shows a summary, and the stored visits are compared with what the note says.

    python bench/score_visits.py            # both sets, with every miss explained
"""

from __future__ import annotations

import csv
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import time_machine

from bot.app import create_app
from bot.config import load_settings
from data import open_db
from tests.conftest import make_person
from tests.visit_world import add_recipient
from tests.wechat_peer import AES_KEY, APPID, TOKEN, WeChatPeer

DATA = Path(__file__).resolve().parent / "data"
DAY = datetime.fromisoformat("2026-11-20T02:00:00+00:00")  # Friday 20 November 2026, 10:00 in Ningxia
CHILDREN = ("田佳豪", "马晓燕", "丁浩然", "马小军", "杨雪梅", "杨欣怡", "王小明", "李小明", "苏子轩", "海梓萱",
            "周俊杰", "王思雨")
ELDERS = ("王秀兰", "马占福", "张桂英", "李长贵", "杨玉梅", "丁守仁", "苏凤兰", "马文学", "周淑芳", "海福贵")
SPEAKERS = {"director": "set-director", "worker": "set-worker"}


@dataclass
class Note:
    writer: str
    who: str
    text: str
    recipients: tuple[str, ...]
    date: str
    mode: str
    outcome: str
    needs: str


@dataclass
class Result:
    note: Note
    problems: list[str] = field(default_factory=list)

    @property
    def exact(self) -> bool:
        return not self.problems


def read_notes(name: str) -> list[Note]:
    with (DATA / name).open(encoding="utf-8") as f:
        rows = [r for r in csv.reader(f, delimiter="\t") if r and not r[0].startswith("#")]
    return [Note(w, who, text, tuple(names.split("、")), day, mode, outcome, needs)
            for w, who, text, names, day, mode, outcome, needs in rows]


def _world(db) -> None:
    director = make_person(db, SPEAKERS["director"], "director", "沈闸村", "李明")
    worker = make_person(db, SPEAKERS["worker"], "worker", "怡园社区", "马丽")
    for name in CHILDREN:
        add_recipient(db, name, director["site_id"], responsible=director)
    for name in ELDERS:
        add_recipient(db, name, worker["site_id"], "elder", worker, "1944-01-01", categories=("高龄",))
    db.conn.execute("UPDATE recipients SET address = '沈闸村一组5号' WHERE name IN ('马小军', '杨雪梅')")


def score(notes: list[Note]) -> list[Result]:
    with tempfile.TemporaryDirectory() as folder, time_machine.travel(DAY, tick=False):
        env = {"LAOXIAO_DB": f"{folder}/notes.db", "WECHAT_TOKEN": TOKEN, "WECHAT_APPID": APPID,
               "WECHAT_AES_KEY": AES_KEY, "LAOXIAO_QUIET_HOURS": "", "LAOXIAO_PHRASES": f"{folder}/p.tsv"}
        app = create_app(load_settings(env=env, dotenv=False))
        db = open_db(env["LAOXIAO_DB"])
        _world(db)
        peer = WeChatPeer(app.test_client())
        results = [_one(peer, db, note) for note in notes]
        db.close()
    return results


def _one(peer: WeChatPeer, db, note: Note) -> Result:
    result = Result(note)
    openid = SPEAKERS[note.who]
    before = db.execute("SELECT COALESCE(MAX(id), 0) FROM visits").fetchone()[0]
    reply = peer.say(openid, note.text).text or ""
    if "请核对走访记录" not in reply:
        result.problems.append(f"no summary: «{reply[:80]}»")
        peer.say(openid, "取消")
        return result
    peer.say(openid, "1")
    rows = list(db.query("SELECT v.*, r.name FROM visits v JOIN recipients r ON r.id = v.recipient_id"
                         " WHERE v.id > ? ORDER BY v.id", [before]))
    names = tuple(sorted(r["name"] for r in rows))
    if names != tuple(sorted(note.recipients)):
        result.problems.append(f"recipients {names}")
    if not rows:
        return result
    row = rows[0]
    for field_name, wanted in (("visit_date", note.date), ("mode", note.mode), ("outcome", note.outcome)):
        if row[field_name] != wanted:
            result.problems.append(f"{field_name} {row[field_name]}")
    stored = row["needs"] or ""
    if (note.needs == "无") != (not stored) or (note.needs != "无" and note.needs not in stored):
        result.problems.append(f"needs «{stored}»")
    return result


def report(name: str, results: list[Result]) -> str:
    exact = sum(r.exact for r in results)
    writers = sorted({r.note.writer for r in results})
    lines = [f"{name}: {exact}/{len(results)} notes exactly right end to end "
             f"(recipients, date, mode, outcome, needs); {len(writers)} writers"]
    for writer in writers:
        mine = [r for r in results if r.note.writer == writer]
        lines.append(f"  {writer}: {sum(r.exact for r in mine)}/{len(mine)}")
    lines += [f"  miss [{r.note.writer}] {r.note.text} -> {'; '.join(r.problems)}" for r in results if not r.exact]
    return "\n".join(lines)
