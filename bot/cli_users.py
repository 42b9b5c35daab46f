"""`laoxiao user`: dashboard accounts (add, list, passwd, disable)."""

from __future__ import annotations

import sys

import click

from data import open_db
from data.clock import utcnow
from data.record_rules import RecordError


def register(cli: click.Group) -> None:
    cli.add_command(user)


def _settings():
    from bot.cli import _settings as load

    return load()


def _fail(exc: RecordError) -> click.ClickException:
    return click.ClickException(str(exc))


@click.group(help="网页管理后台的账号 / dashboard accounts")
def user() -> None:
    pass


@user.command("add", help="添加后台账号：laoxiao user add --web mali --role worker --site 怡园社区 --name 马丽")
@click.option("--web", "username", required=True, help="登录用户名")
@click.option("--role", required=True, type=click.Choice(["admin", "bureau", "evaluator", "worker", "supervisor"]),
              help="admin 管理员；bureau 民政局；evaluator 第三方评估；worker 社工；supervisor 儿童督导员")
@click.option("--name", "display_name", default="", help="显示的姓名")
@click.option("--site", "site_names", multiple=True, help="社工负责的站点（可写多次）")
@click.option("--township", help="督导员所在的镇/街道，如 峡口镇")
@click.option("--person", help="对应的微信身份（姓名或 openid），记录时算作同一人")
@click.option("--password-stdin", is_flag=True, help="从标准输入读密码（脚本用）；否则提示输入")
def user_add(username: str, role: str, display_name: str, site_names: tuple[str, ...], township: str | None,
             person: str | None, password_stdin: bool) -> None:
    from bot.cli import site_id_or_fail
    from data import people, web_users

    db = open_db(_settings().db_path)
    site_ids = [site_id_or_fail(db, name) for name in site_names]
    person_id = None
    if person:
        found = people.find_people(db, person)
        if len(found) != 1:
            raise click.ClickException(f"找不到唯一的「{person}」，请用 openid")
        person_id = found[0]["id"]
    password = (sys.stdin.readline().rstrip("\n") if password_stdin
                else click.prompt("密码", hide_input=True, confirmation_prompt="再输入一次"))
    try:
        web_users.add_user(db, username, password, role, utcnow(), display_name=display_name, site_ids=site_ids,
                           township=township, person_id=person_id)
    except RecordError as exc:
        raise _fail(exc) from None
    click.echo(f"已添加后台账号 {username}（{web_users.ROLES[role]}），登录地址 /admin")


@user.command("list", help="列出后台账号 / list dashboard accounts")
def user_list() -> None:
    from data import web_users

    db = open_db(_settings().db_path)
    names = {row["id"]: row["name"] for row in db.query("SELECT id, name FROM sites")}
    for row in web_users.list_users(db):
        visible = web_users.visible_site_ids(db, row)
        where = "全部站点" if visible is None else "、".join(names[i] for i in visible) or "（无站点）"
        if row["township"]:
            where = f"{row['township']}：{where}"
        state = "" if row["active"] else "（已停用）"
        click.echo(f"{row['username']}\t{row['display_name']}\t{web_users.ROLES[row['role']]}\t{where}{state}")


@user.command("passwd", help="重设密码（并让该账号所有登录失效）/ reset a password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True)
def user_passwd(username: str, password_stdin: bool) -> None:
    from data import web_users

    db = open_db(_settings().db_path)
    password = (sys.stdin.readline().rstrip("\n") if password_stdin
                else click.prompt("新密码", hide_input=True, confirmation_prompt="再输入一次"))
    try:
        web_users.set_password(db, username, password, utcnow())
    except RecordError as exc:
        raise _fail(exc) from None
    click.echo(f"已重设 {username} 的密码。")


@user.command("disable", help="停用账号（立即退出登录）/ disable an account")
@click.argument("username")
def user_disable(username: str) -> None:
    from data import web_users

    try:
        web_users.set_active(open_db(_settings().db_path), username, False, utcnow())
    except RecordError as exc:
        raise _fail(exc) from None
    click.echo(f"已停用 {username}。")
