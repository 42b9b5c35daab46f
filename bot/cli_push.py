"""`laoxiao scheduler`, `laoxiao remind`, `laoxiao outbox` and `laoxiao backup`."""

from __future__ import annotations

import json
from datetime import date

import click

from data import delivery, open_db
from data.clock import utcnow
from data.masking import mask_text

_STATUS_NAMES = {"pending": "待发", "sending": "发送中", "sent": "已发", "held": "等对方发消息",
                 "failed": "失败", "cancelled": "已作废"}


def register(cli: click.Group) -> None:
    cli.add_command(scheduler)
    cli.add_command(remind)
    cli.add_command(outbox)
    cli.add_command(backup)
    cli.add_command(menu)


def _settings():
    from bot.cli import _settings as load

    return load()


@click.command(help="单独运行定时任务进程（生产部署用）/ run the scheduler as its own process")
@click.option("--lease", "lease_seconds", type=float, help="租约秒数（默认 LAOXIAO_SCHEDULER_LEASE）")
def scheduler(lease_seconds: float | None) -> None:
    from bot import log_masking
    from bot.scheduler import run_forever

    settings = _settings()
    log_masking.install(settings.log_level)
    click.echo("定时任务进程已启动（Ctrl+C 停止）。同一时刻只有持有租约的进程在工作。")
    run_forever(settings, lease_seconds)


@click.command(help="把某天该发的提醒放进发件箱 / enqueue the reminders due on a date")
@click.option("--date", "day", help="日期 YYYY-MM-DD，默认今天")
@click.option("--dry-run", is_flag=True, help="只显示要发给谁、发什么，不放进发件箱")
@click.option("--json", "as_json", is_flag=True, help="配合 --dry-run，输出 JSON")
def remind(day: str | None, dry_run: bool, as_json: bool) -> None:
    from bot.jobs import enqueue_reminders, reminder_messages

    settings = _settings()
    now = utcnow()
    try:
        target = date.fromisoformat(day) if day else now.astimezone(settings.tz).date()
    except ValueError:
        raise click.ClickException(f"日期「{day}」看不懂，请写成 2026-11-15 这样") from None
    db = open_db(settings.db_path)
    if not dry_run:
        queued = enqueue_reminders(db, settings, target, now)
        click.echo(f"{target}：新放进发件箱 {queued} 条提醒（已在发件箱里的不会重复）。")
        return
    messages = reminder_messages(db, target, settings)
    if as_json:
        click.echo(json.dumps([m.as_dict() for m in messages], ensure_ascii=False, indent=2))
        return
    if not messages:
        click.echo(f"{target}：没有要发的提醒。")
        return
    click.echo(f"{target}：将发 {len(messages)} 条提醒（预览，未放进发件箱）")
    for message in messages:
        click.echo(f"\n—— 发给 {message.name or message.openid}（{message.openid}） ——\n{message.text}")


@click.group(invoke_without_command=True, help="发件箱：列出、立即发送、重试 / the outbox")
@click.option("--status", type=click.Choice(list(_STATUS_NAMES)), help="只列出这种状态的消息")
@click.option("--limit", default=50, show_default=True, type=int)
@click.pass_context
def outbox(ctx: click.Context, status: str | None, limit: int) -> None:
    if ctx.invoked_subcommand is not None:
        return
    db = open_db(_settings().db_path)
    counts = delivery.counts(db)
    click.echo("发件箱：" + ("，".join(f"{_STATUS_NAMES[s]} {n}" for s, n in sorted(counts.items())) or "空"))
    for row in delivery.listing(db, status, limit):
        who = row["person_name"] or row["openid"]
        first = mask_text(delivery.body_title(row["body"]))[:30]
        extra = f"  [{row['last_error']}]" if row["last_error"] else ""
        channel = f"/{row['channel']}" if row["channel"] else ""
        click.echo(f"{row['id']}\t{_STATUS_NAMES[row['status']]}{channel}\t尝试{row['attempts']}次\t{who}\t"
                   f"{row['created_at']}\t{first}{extra}")


@outbox.command("send", help="立即发送一轮到期的消息 / drain the outbox once")
def outbox_send() -> None:
    from bot import log_masking
    from bot.sender import drain_once

    settings = _settings()
    log_masking.install(settings.log_level)
    report = drain_once(open_db(settings.db_path), settings)
    click.echo(f"取出 {report.claimed} 条：已发 {report.sent}，等对方发消息 {report.held}，"
               f"稍后重试 {report.retrying}，失败 {report.failed}，推迟 {report.released}")


@outbox.command("retry", help="把失败或搁置的一条消息重新放回待发 / retry one message")
@click.argument("row_id", type=int)
def outbox_retry(row_id: int) -> None:
    db = open_db(_settings().db_path)
    if not delivery.retry(db, row_id, utcnow()):
        raise click.ClickException(f"没有可重试的消息 {row_id}（只有失败、等待或已作废的消息可以重试）")
    click.echo(f"消息 {row_id} 已放回待发，下一轮发送时会再试。")


@click.command(help="立即备份数据库 / back up the database now")
def backup() -> None:
    from bot.jobs import backup_database

    settings = _settings()
    path = backup_database(settings.db_path, settings.backup_dir, settings.backup_keep, utcnow())
    click.echo(f"已备份到 {path}（保留最近 {settings.backup_keep} 份）")


@click.command(help="把服务号底部菜单（我要求助、我的求助、更多）推送到微信 / create the Official Account's menu")
def menu() -> None:
    from bot import wechat_menu
    from bot.wechat_client import SharedTokenClient
    from handlers import build_dispatcher

    settings = _settings()
    if not (settings.appid and settings.secret):
        raise click.ClickException("需要设置 WECHAT_APPID 和 WECHAT_SECRET 才能创建菜单")
    wechat_menu.check(build_dispatcher(settings.phrases_path).clicks)
    client = SharedTokenClient(open_db(settings.db_path), settings.appid, settings.secret, settings.api_base)
    try:
        client.menu.create(wechat_menu.MENU)
    except Exception as exc:  # wechatpy raises WeChatClientException, requests its own errors
        raise click.ClickException(f"创建菜单失败：{exc}") from None
    click.echo("菜单已创建：我要求助｜我的求助｜更多（能做什么、找社工）。微信里几分钟内生效。")
