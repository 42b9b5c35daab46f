"""The `laoxiao` command line."""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

import click

from bot.config import ConfigError, Settings, load_settings
from data import open_db
from data.clock import utcnow

DEMO_DEFAULTS = {"WECHAT_TOKEN": "laoxiaodemo", "LAOXIAO_DB": "instance/demo.db"}
_ROLE_CHOICES = click.Choice(["admin", "worker", "director", "team_lead", "volunteer"])


def _settings(defaults: dict[str, str] | None = None, require_token: bool = False) -> Settings:
    """Commands that only touch the database do not need the WeChat token."""
    fill = dict(defaults or {})
    if not require_token:
        fill.setdefault("WECHAT_TOKEN", "unused")
    try:
        return load_settings(defaults=fill)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


@click.group(help="老小 laoxiao: 社区社工的微信服务号后台 / WeChat intake service for community social work")
@click.version_option(package_name="laoxiao")
def cli() -> None:
    pass


@cli.command("init-db", help="创建数据库或升级到最新结构 / create or migrate the database")
def init_db() -> None:
    settings = _settings()
    db = open_db(settings.db_path)
    count = db.conn.execute("SELECT COUNT(*) FROM schema_migrations").fetchone()[0]
    click.echo(f"数据库已就绪：{settings.db_path}（{count} 个迁移）")


@cli.command(help="启动服务（生产用 waitress）/ serve with waitress")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
@click.option("--no-scheduler", is_flag=True, help="不在本进程运行定时任务（另起 laoxiao scheduler 时用）")
def serve(host: str, port: int, threads: int, no_scheduler: bool) -> None:
    settings = _settings(require_token=True)
    _serve(settings, host, port, threads, simulator=False, scheduler=not no_scheduler)


def _serve(settings: Settings, host: str, port: int, threads: int, simulator: bool, scheduler: bool) -> None:
    import waitress

    from bot.app import create_app

    app = create_app(settings, simulator=simulator)
    if scheduler:
        _start_scheduler(settings)
    click.echo(f"老小服务已启动：http://{host}:{port}/  （Ctrl+C 停止）")
    waitress.serve(app, host=host, port=port, threads=threads, ident="laoxiao")


def _start_scheduler(settings: Settings) -> None:
    from bot.scheduler import start_in_process

    start_in_process(settings)


@cli.command(help="生成一次性绑定码（7天有效）/ print a one-time binding code")
@click.option("--role", required=True, type=_ROLE_CHOICES)
@click.option("--site", "site_name", help="站点名称，如 沈闸村")
@click.option("--name", help="被邀请人的姓名")
def invite(role: str, site_name: str | None, name: str | None) -> None:
    from data import invites

    db = open_db(_settings().db_path)
    site_id = site_id_or_fail(db, site_name)
    if site_id is None and role in ("worker", "director"):
        raise click.ClickException("社工和儿童主任需要 --site 站点")
    code = invites.create_invite(db, role, site_id, name, utcnow())
    click.echo(f"请把下面的绑定码发给{name or '对方'}，让对方在公众号里发送「绑定 {code}」。7天内有效，只能用一次。")
    click.echo(code)


def site_id_or_fail(db, site_name: str | None) -> int | None:
    """The id of a named site; an unknown name stops the command and lists the sites there are."""
    from data import sites

    if not site_name:
        return None
    site = sites.find_site(db, site_name)
    if site is None:
        known = "、".join(s["name"] for s in sites.list_sites(db))
        raise click.ClickException(f"没有站点「{site_name}」。已有：{known}")
    return site["id"]


@cli.group(help="站点管理 / sites")
def site() -> None:
    pass


@site.command("add", help="添加站点 / add a site")
@click.argument("name")
@click.option("--project", required=True, type=click.Choice(["elder", "child"]))
@click.option("--township", help="所属镇/街道，如 峡口镇（督导员按镇查看）")
def site_add(name: str, project: str, township: str | None) -> None:
    from data import sites

    db = open_db(_settings().db_path)
    try:
        sites.add_site(db, name, project, township)
    except sites.SiteError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"已添加站点：{name}（{sites.PROJECTS[project]}）")


@site.command("list", help="列出站点 / list sites")
def site_list() -> None:
    from data import sites

    for row in sites.list_sites(open_db(_settings().db_path)):
        click.echo(f"{row['id']}\t{row['name']}\t{sites.PROJECTS[row['project']]}\t{row['township'] or ''}")


@cli.command(help="在终端里以某人身份聊天（和微信走同一套处理）/ chat in the terminal as someone")
@click.option("--as", "who", required=True, help="姓名或 openid")
@click.option("--demo", is_flag=True, help="用演示数据库（laoxiao demo 生成的）")
def chat(who: str, demo: bool) -> None:
    from data import delivery, people
    from flows.message import Message
    from handlers import build_dispatcher
    from handlers.inbox import receive

    settings = _settings(DEMO_DEFAULTS if demo else None)
    db = open_db(settings.db_path)
    dispatcher = build_dispatcher(settings.phrases_path)
    found = people.find_people(db, who)
    if len(found) > 1:
        raise click.ClickException(f"有 {len(found)} 个人叫「{who}」，请用 openid")
    openid = found[0]["openid"] if found else who
    if not found:
        click.echo(f"（「{who}」还不认识，将作为新居民聊天）")
    interactive = sys.stdin.isatty()
    click.echo("输入消息后回车；输入 /quit 退出。别人的操作推送给您的消息会以「📩」显示。")
    while True:
        try:
            line = input("我> " if interactive else "")
        except (EOFError, KeyboardInterrupt):
            break
        if line.strip() in ("/quit", "/exit"):
            break
        if not line.strip():
            continue
        if not interactive:
            click.echo(f"我> {line}")  # piped input: show what was said beside each answer
        msg = Message(openid=openid, kind="text", key=f"chat:{uuid.uuid4().hex}", at=utcnow(), text=line,
                      channel="chat")
        reply = receive(db, msg, settings.tz, dispatcher)
        click.echo(f"老小> {reply}" if reply else "老小> （无回复）")
        # What laoxiao pushed to this persona meanwhile (team cards, progress notices), as WeChat would show it.
        for text in delivery.take_undelivered(db, openid, utcnow(), "chat"):
            click.echo(f"📩 {text}")


@cli.command(help="建演示数据库并启动带聊天模拟器的服务 / demo database + service + chat simulator")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--reset", is_flag=True, help="删掉旧的演示数据库重新生成")
@click.option("--no-serve", is_flag=True, help="只生成数据，不启动服务")
def demo(host: str, port: int, reset: bool, no_serve: bool) -> None:
    from data.demo import seed_demo

    settings = _settings(DEMO_DEFAULTS, require_token=True)
    path = Path(settings.db_path)
    if reset:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    db = open_db(path)
    personas = seed_demo(db, utcnow(), dashboard=True)
    click.echo(f"演示数据库：{path}")
    click.echo("可以用这些身份聊天（浏览器里的模拟器，或另开一个终端：laoxiao chat --demo --as 姓名）：")
    for persona in personas:
        click.echo(f"  {persona['name']}\t{persona['label']}")
    db.close()
    from data.demo_web import PASSWORD, login_lines

    click.echo(f"管理后台 http://{host}:{port}/admin ，演示账号（密码都是 {PASSWORD}）：")
    for line in login_lines():
        click.echo(line)
    if not no_serve:
        click.echo(f"浏览器打开 http://{host}:{port}/ 用聊天模拟器试试。")
        click.echo("这个终端留给服务；想在终端里聊天，请另开一个终端运行：.venv/bin/laoxiao chat --demo --as 李明")
        _serve(settings, host, port, threads=8, simulator=True, scheduler=True)


def _add_subcommands() -> None:
    """The sub-commands of the visit, request and push modules (import, export, classify, outbox ...)."""
    from bot import cli_push, cli_reports, cli_requests, cli_users, cli_visits

    for module in (cli_visits, cli_requests, cli_push, cli_reports, cli_users):
        module.register(cli)


_add_subcommands()


def main() -> None:
    cli(prog_name="laoxiao")
