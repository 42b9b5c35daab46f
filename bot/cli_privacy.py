"""`laoxiao forget`: deletion on request, keeping what the evaluations count (data/forget.py)."""

from __future__ import annotations

import click


def register(cli: click.Group) -> None:
    cli.add_command(forget)


@click.group(help="按本人要求删除个人信息（保留评估所需的统计）/ erase personal data on request")
def forget() -> None:
    pass


@forget.command("recipient", help="删除一位服务对象的个人信息：laoxiao forget recipient 编号 --reason 用途")
@click.argument("recipient_id", type=int)
@click.option("--reason", required=True, help="谁要求的、为什么（记入审计日志）")
def forget_recipient(recipient_id: int, reason: str) -> None:
    _run("recipient", recipient_id, reason)


@forget.command("person", help="删除一位居民（微信用户）的个人信息与留言：laoxiao forget person OPENID --reason 用途")
@click.argument("openid")
@click.option("--reason", required=True, help="谁要求的、为什么（记入审计日志）")
def forget_person(openid: str, reason: str) -> None:
    _run("person", openid, reason)


def _run(what: str, key, reason: str) -> None:
    from bot.cli import _settings
    from data import forget as erase
    from data import open_db
    from data.clock import utcnow

    db = open_db(_settings().db_path)
    try:
        func = erase.forget_recipient if what == "recipient" else erase.forget_person
        counts = func(db, key, "cli", reason, utcnow())
    except erase.NotFound as exc:
        raise click.ClickException(str(exc)) from None
    click.echo("已删除个人信息；保留的统计：" + "，".join(f"{k} {v}" for k, v in counts.items()))
