"""Deletion on request (个人信息保护法 第四十七条): a recipient's or a resident's personal information is erased,
while what the project's mid-term and final evaluations count is kept without it.

Kept: that a visit happened (date, mode, outcome, who visited, the site), a request's category, site, status
and dates, feedback ratings, the recipient's kind, categories, sex, birth year and site (the indicators are
counted by these). Erased: names, phones, guardians, addresses, ID hashes and tails, every free text (visit
findings and needs, message text, request text, ticket messages, photos' links), unfinished conversations.
Each erasure leaves an audit row saying who asked, why and what was erased, never the erased values.
"""

from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from data import audit
from data.clock import iso
from data.db import first, transaction

ERASED = "（已按本人要求删除）"


class NotFound(LookupError):
    """No such recipient or person."""


def forget_recipient(db: Database, recipient_id: int, actor: str, reason: str, now: datetime) -> dict[str, int]:
    with transaction(db):
        row = first(db, "SELECT id, birth_date FROM recipients WHERE id = ?", [recipient_id])
        if row is None:
            raise NotFound(f"没有编号为 {recipient_id} 的服务对象")
        year = (row["birth_date"] or "")[:4]
        db.conn.execute(
            "UPDATE recipients SET name = ?, phone = NULL, guardian = NULL, address = NULL, id_number_hash = NULL,"
            " id_number_tail = NULL, consent = NULL, birth_date = ?, active = 0, closed_reason = '本人要求删除',"
            " updated_at = ? WHERE id = ?",
            [f"已删除{recipient_id}", f"{year}-01-01" if year else None, iso(now), recipient_id])
        counts = {"visits": db.conn.execute(
            "UPDATE visits SET findings = ?, needs = NULL, areas = NULL, source_text = NULL,"
            " verification = CASE WHEN verification IS NULL THEN NULL ELSE '{}' END WHERE recipient_id = ?",
            [ERASED, recipient_id]).rowcount}
        counts["photos"] = db.conn.execute(
            "DELETE FROM visit_photos WHERE visit_id IN (SELECT id FROM visits WHERE recipient_id = ?)",
            [recipient_id]).rowcount
        counts["requests"] = db.conn.execute(
            "UPDATE requests SET recipient_name = NULL, address = NULL, contact_phone = NULL, text = ?"
            " WHERE recipient_id = ?", [ERASED, recipient_id]).rowcount
        audit.record(db, now, actor, "forget_recipient", f"recipient:{recipient_id}", {"reason": reason, **counts})
    return counts


def forget_person(db: Database, openid: str, actor: str, reason: str, now: datetime) -> dict[str, int]:
    """A resident (or anyone who wrote to the account): their identity and words, not the work done for them."""
    with transaction(db):
        person = first(db, "SELECT id FROM people WHERE openid = ?", [openid])
        if person is None:
            raise NotFound("没有这个人")
        pid = person["id"]
        counts = {
            "messages": db.conn.execute("UPDATE inbound SET content = NULL, reply = NULL WHERE openid = ?",
                                        [openid]).rowcount,
            "requests": db.conn.execute(
                "UPDATE requests SET recipient_name = NULL, address = NULL, contact_phone = NULL, text = ?"
                " WHERE requester_id = ?", [ERASED, pid]).rowcount,
            "feedback": db.conn.execute("UPDATE request_feedback SET comment = NULL WHERE person_id = ?",
                                        [pid]).rowcount,
            "tickets": db.conn.execute(
                "UPDATE handoff_messages SET text = ?"
                " WHERE handoff_id IN (SELECT id FROM handoffs WHERE person_id = ?)",
                [ERASED, pid]).rowcount,
            "pushes": db.conn.execute(
                "UPDATE outbox SET body = ?, status = CASE WHEN status IN ('pending', 'held', 'sending')"
                " THEN 'cancelled' ELSE status END WHERE openid = ?", [ERASED, openid]).rowcount,
        }
        db.conn.execute("UPDATE handoffs SET last_messages = '[]' WHERE person_id = ?", [pid])
        db.conn.execute("UPDATE protection_reports SET excerpt = ? WHERE person_id = ?", [ERASED, pid])
        for table in ("conversations", "drafts", "menus"):
            db.conn.execute(f"DELETE FROM {table} WHERE person_id = ?", [pid])  # noqa: S608 (constant names)
        db.conn.execute("DELETE FROM pending_pages WHERE openid = ?", [openid])
        db.conn.execute("UPDATE people SET name = NULL, phone = NULL, updated_at = ? WHERE id = ?", [iso(now), pid])
        audit.record(db, now, actor, "forget_person", f"person:{pid}", {"reason": reason, **counts})
    return counts
