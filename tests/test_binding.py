"""Staff take their role by sending a one-time code that `laoxiao invite` printed."""

from __future__ import annotations

from datetime import timedelta

import time_machine

from bot.cli import cli
from data import invites
from data.clock import utcnow
from tests.conversation import converse


def _invite(runner, *args) -> str:
    result = runner.invoke(cli, ["invite", *args])
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()[-1]


def _person(db, openid):
    return next(db["people"].rows_where("openid = ?", [openid]), None)


def test_valid_code_binds_the_role_and_site(runner, wechat, db):
    code = _invite(runner, "--role", "director", "--site", "沈闸村", "--name", "李明")
    assert len(code) == 8
    converse(wechat, "li-ming", [
        (f"绑定 {code.lower()}", ["绑定成功", "李明", "沈闸村", "儿童主任"]),
        ("帮助", ["李明", "沈闸村儿童主任", "!绑定 绑定码"]),
    ])
    person = _person(db, "li-ming")
    assert person["role"] == "director" and person["name"] == "李明"
    assert db.execute("SELECT COUNT(*) FROM audit WHERE action = 'bind'").fetchone()[0] == 1


def test_code_can_be_sent_after_asking(runner, wechat):
    code = _invite(runner, "--role", "worker", "--site", "怡园社区", "--name", "马丽")
    converse(wechat, "ma-li", [("注册", "绑定码"), (code, ["绑定成功", "怡园社区", "社工"])])


def test_used_code_is_refused_for_another_person(runner, wechat, db):
    code = _invite(runner, "--role", "worker", "--site", "怡园社区")
    converse(wechat, "first", [(f"绑定 {code}", "绑定成功")])
    converse(wechat, "second", [(f"绑定 {code}", "已经用过了"), ("取消", "已取消")])
    assert _person(db, "second")["role"] == "family"


def test_expired_code_is_refused(runner, wechat, db):
    code = _invite(runner, "--role", "volunteer")
    with time_machine.travel(utcnow() + timedelta(days=7, minutes=1)):
        converse(wechat, "late", [(f"bind {code}", "已过期")])
    assert _person(db, "late")["role"] == "family"


def test_wrong_codes_are_rate_limited(runner, wechat, db):
    code = _invite(runner, "--role", "volunteer")
    script = [("绑定 AAAAAAAA", "不对")] * 4 + [("绑定 BBBBBBBB", "次数太多")]
    converse(wechat, "guesser", script)
    # Even the right code is refused for the next hour...
    converse(wechat, "guesser", [(f"绑定 {code}", "次数太多")])
    assert _person(db, "guesser")["role"] == "family"
    # ...and accepted after it.
    with time_machine.travel(utcnow() + timedelta(hours=1, minutes=1)):
        converse(wechat, "guesser", [(f"绑定 {code}", "绑定成功")])


def test_invite_requires_a_known_site_for_staff(runner):
    result = runner.invoke(cli, ["invite", "--role", "director", "--site", "不存在村"])
    assert result.exit_code != 0 and "沈闸村" in result.output
    result = runner.invoke(cli, ["invite", "--role", "worker"])
    assert result.exit_code != 0 and "--site" in result.output


def test_only_a_hash_of_the_code_is_stored(runner, db):
    code = _invite(runner, "--role", "volunteer")
    assert code not in str(list(db["invites"].rows))
    assert invites.find_invite(db, code) is not None


def test_many_openids_guessing_are_stopped_together_and_an_admin_is_told(runner, wechat, db, person):
    from data import outbox

    admin = person("admin-1", "admin", None, "张主任")
    code = _invite(runner, "--role", "worker", "--site", "怡园社区", "--name", "马丽")
    for n in range(invites.GLOBAL_FAILURES_PER_MINUTE):  # each guesser stays under the per-OpenID limit
        converse(wechat, f"guesser-{n}", [(f"绑定 ZZZZZZ{n:02d}", "不对")])
    converse(wechat, "guesser-x", [(f"绑定 {code}", "绑定暂时停用")])  # even a right code waits the minute
    assert _person(db, "guesser-x")["role"] == "family"
    alerts = [r for r in outbox.rows(db, openid=admin["openid"]) if r["key"].startswith("alert:bind-guessing:")]
    assert len(alerts) == 1 and "猜绑定码" in alerts[0]["body"]
    with time_machine.travel(utcnow() + timedelta(minutes=2)):
        converse(wechat, "ma-li", [(f"绑定 {code}", "绑定成功")])
