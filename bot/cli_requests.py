"""Command-line tools for help requests: volunteer teams, the request export, the intent classifier and the
admins' own phrasings (so the matcher learns new ways of asking without a code change)."""

from __future__ import annotations

import json
import statistics
import sys
import time
from datetime import date, datetime

import click

from data import open_db, people, sites, teams
from data import requests as reqs
from data.categories import ALL_LABELS, LABELS
from data.clock import parse_iso, utcnow
from data.db import transaction

FORMATS = ("csv", "json", "xlsx")
_EXPORT_HEADERS = {"number": "编号", "category": "类别", "site": "站点", "status": "状态", "team": "服务队",
                   "created_at": "提交时间", "accepted_at": "接单时间", "done_at": "完成时间", "feedback": "评价"}


def register(cli: click.Group) -> None:
    cli.add_command(teams_command)
    cli.add_command(team_group)
    cli.add_command(classify_command)
    cli.add_command(phrases_group)
    export = cli.commands.get("export")
    if not isinstance(export, click.Group):
        export = click.Group("export", help="导出数据 / export data")
        cli.add_command(export)
    export.add_command(export_requests)


def _db_and_settings():
    from bot.cli import _settings

    settings = _settings()
    return open_db(settings.db_path), settings


# ---------------------------------------------------------------- teams

@click.command("teams", help="列出志愿服务队 / list volunteer teams")
def teams_command() -> None:
    db, _ = _db_and_settings()
    rows = teams.list_teams(db)
    if not rows:
        click.echo("还没有服务队。添加：laoxiao team add 助老服务队 --site 怡园社区 --category 生活照料 --leader 王强")
        return
    for team in rows:
        state = "" if team["active"] else "（已停用）"
        click.echo(f"{team['name']}{state}\t站点：{'、'.join(team['sites']) or '无'}"
                   f"\t类别：{'、'.join(team['categories']) or '无'}\t队长：{'、'.join(team['leaders']) or '无'}"
                   f"\t队员：{len(team['member_names'])}人\t进行中：{team['open_count']}/{team['capacity']}")


@click.group("team", help="管理志愿服务队：laoxiao team add / laoxiao team edit")
def team_group() -> None:
    pass


def _site_ids(db, names: tuple[str, ...]) -> list[int]:
    ids = []
    for name in names:
        site = sites.find_site(db, name)
        if site is None:
            known = "、".join(s["name"] for s in sites.list_sites(db))
            raise click.ClickException(f"没有站点「{name}」。已有：{known}")
        ids.append(site["id"])
    return ids


def _categories(names: tuple[str, ...]) -> list[str]:
    bad = [n for n in names if n not in LABELS]
    if bad:
        raise click.ClickException(f"没有类别「{'、'.join(bad)}」。可选：{'、'.join(LABELS)}")
    return list(names)


def _person_ids(db, names: tuple[str, ...]) -> list[int]:
    ids = []
    for name in names:
        found = people.find_people(db, name)
        if len(found) != 1:
            problem = "没有找到" if not found else f"有 {len(found)} 个人叫"
            raise click.ClickException(f"{problem}「{name}」：请用 openid，且对方要先关注公众号并绑定")
        ids.append(found[0]["id"])
    return ids


_site_opt = click.option("--site", "site_names", multiple=True, help="服务的站点，可多次给出")
_cat_opt = click.option("--category", "categories", multiple=True, help=f"承接的类别：{'、'.join(LABELS)}")
_leader_opt = click.option("--leader", "leaders", multiple=True, help="队长（姓名或 openid），可多次给出")
_member_opt = click.option("--member", "members", multiple=True, help="队员（姓名或 openid），可多次给出")


@team_group.command("add", help="添加服务队 / add a team")
@click.argument("name")
@_site_opt
@_cat_opt
@_leader_opt
@_member_opt
@click.option("--capacity", default=5, show_default=True, type=click.IntRange(min=0),
              help="同时在办的求助上限")
def team_add(name: str, site_names: tuple[str, ...], categories: tuple[str, ...], leaders: tuple[str, ...],
             members: tuple[str, ...], capacity: int) -> None:
    db, _ = _db_and_settings()
    if not site_names or not categories:
        raise click.ClickException("请至少给出一个 --site 站点和一个 --category 类别")
    site_ids, labels = _site_ids(db, site_names), _categories(categories)
    leader_ids, member_ids = _person_ids(db, leaders), _person_ids(db, members)
    try:
        with transaction(db):
            team_id = teams.add_team(db, name, utcnow(), capacity)
            teams.set_sites(db, team_id, site_ids)
            teams.set_categories(db, team_id, labels)
            for person_id in member_ids:
                teams.add_member(db, team_id, person_id, "member")
            for person_id in leader_ids:
                teams.add_member(db, team_id, person_id, "leader")
    except teams.TeamError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"已添加服务队：{name}（{'、'.join(site_names)}；{'、'.join(labels)}；容量 {capacity}）")
    if not leader_ids:
        click.echo("提示：还没有队长，派单卡片会发给队员；都没有时由站点社工接手。")


@team_group.command("edit", help="修改服务队 / edit a team")
@click.argument("name")
@click.option("--rename", help="新名称")
@_site_opt
@click.option("--remove-site", "drop_sites", multiple=True, help="不再服务的站点")
@_cat_opt
@click.option("--remove-category", "drop_categories", multiple=True, help="不再承接的类别")
@_leader_opt
@_member_opt
@click.option("--remove-member", "drop_members", multiple=True, help="移出的队长或队员")
@click.option("--capacity", type=click.IntRange(min=0), help="同时在办的求助上限")
@click.option("--active/--inactive", default=None, help="启用或停用（停用后不再派单）")
def team_edit(name: str, rename: str | None, site_names: tuple[str, ...], drop_sites: tuple[str, ...],
              categories: tuple[str, ...], drop_categories: tuple[str, ...], leaders: tuple[str, ...],
              members: tuple[str, ...], drop_members: tuple[str, ...], capacity: int | None,
              active: bool | None) -> None:
    db, _ = _db_and_settings()
    team = teams.find_team(db, name)
    if team is None:
        known = "、".join(t["name"] for t in teams.list_teams(db))
        raise click.ClickException(f"没有服务队「{name}」。已有：{known or '（无）'}")
    add_sites, remove_sites = _site_ids(db, site_names), _site_ids(db, drop_sites)
    add_labels, remove_labels = _categories(categories), _categories(drop_categories)
    leader_ids, member_ids, drop_ids = (_person_ids(db, leaders), _person_ids(db, members),
                                        _person_ids(db, drop_members))
    try:
        with transaction(db):
            teams.update_team(db, team["id"], utcnow(), name=rename, capacity=capacity, active=active)
            teams.set_sites(db, team["id"], add_sites)
            teams.remove_sites(db, team["id"], remove_sites)
            teams.set_categories(db, team["id"], add_labels)
            teams.remove_categories(db, team["id"], remove_labels)
            for person_id in member_ids:
                teams.add_member(db, team["id"], person_id, "member")
            for person_id in leader_ids:
                teams.add_member(db, team["id"], person_id, "leader")
            for person_id in drop_ids:
                teams.remove_member(db, team["id"], person_id)
    except teams.TeamError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"已更新服务队：{rename or name}")


# ---------------------------------------------------------------- export

def _month_range(month: str, tz) -> tuple[datetime, datetime]:
    try:
        first = date.fromisoformat(f"{month}-01")
    except ValueError:
        raise click.BadParameter("月份格式应为 2026-12", param_hint="--month") from None
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return (datetime.combine(first, datetime.min.time(), tz), datetime.combine(following, datetime.min.time(), tz))


def _local_time(tz):
    def show(stamp: str) -> str:
        return parse_iso(stamp).astimezone(tz).strftime("%Y-%m-%d %H:%M")

    return show


@click.command("requests", help="导出求助记录（不含姓名、住址、电话）/ export help requests")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="csv", show_default=True)
@click.option("--month", help="只导出某月提交的，如 2026-12（按本地时间）")
@click.option("--out", "out", type=click.Path(dir_okay=False), help="输出文件；不给时写到屏幕（xlsx 必须给）")
def export_requests(fmt: str, month: str | None, out: str | None) -> None:
    from data.exports import write_rows

    db, settings = _db_and_settings()
    start, end = _month_range(month, settings.tz) if month else (None, None)
    rows = reqs.export_rows(db, start, end)
    local = _local_time(settings.tz)
    shown = {"status": reqs.STATUSES.get, "created_at": local, "accepted_at": local, "done_at": local}
    # CSV and JSON keep stored values (UTC, English status); Excel, read by people, shows local time and Chinese.
    columns = [(key, label, shown[key]) if key in shown else (key, label) for key, label in _EXPORT_HEADERS.items()]
    if out is None:
        if fmt == "xlsx":
            raise click.ClickException("xlsx 需要用 --out 指定文件，例如 --out 求助.xlsx")
        write_rows(rows, columns, fmt, sys.stdout.buffer)
        sys.stdout.flush()
        return
    count = write_rows(rows, columns, fmt, out)
    click.echo(f"已导出 {count} 条求助到 {out}", err=True)


# ---------------------------------------------------------------- classify and phrasings

@click.command("classify", help="逐行识别求助类别，每行输出一个 JSON / classify one text per line (stdin)")
@click.option("--timing", is_flag=True, help="在标准错误输出每条耗时的中位数和 p99 / print median and p99 ms to stderr")
def classify_command(timing: bool) -> None:
    from handlers.classifier import Classifier
    from handlers.intent import classify_lines

    _, settings = _db_and_settings()  # reads .env, where LAOXIAO_PHRASES may be set
    classifier = Classifier(settings.phrases_path)
    current = classifier.matcher()
    took = []
    for number, line in enumerate(sys.stdin, 1):
        # A development set is text<TAB>label: only the text is classified, its header skipped.
        text = line.rstrip("\r\n").split("\t", 1)[0]
        if number == 1 and "\t" in line and text.strip().lower() == "text":
            continue
        start = time.perf_counter()
        results = list(classify_lines([text], current))
        took.append((time.perf_counter() - start) * 1000)
        for result in results:
            click.echo(json.dumps(result, ensure_ascii=False))
    if timing and took:
        took.sort()
        p99 = took[min(len(took) - 1, int(len(took) * 0.99))]
        click.echo(f"{len(took)} texts, {classifier.phrasings} phrasings loaded: "
                   f"median {statistics.median(took):.2f} ms, p99 {p99:.2f} ms per text", err=True)


@click.group("phrases", help="管理员补充的求助说法：laoxiao phrases add 类别 文本")
def phrases_group() -> None:
    pass


@phrases_group.command("add", help="添加一条说法，让识别学会新的问法 / add a phrasing for a label")
@click.argument("label")
@click.argument("text", nargs=-1, required=True)
@click.option("--author", default="admin", show_default=True, help="谁加的（和说法一起保存）/ who added it")
def phrases_add(label: str, text: tuple[str, ...], author: str) -> None:
    from handlers.classifier import Classifier

    _, settings = _db_and_settings()
    phrase = " ".join(text).replace("\t", " ").strip()
    if label not in ALL_LABELS:
        raise click.ClickException(f"没有类别「{label}」。可选：{'、'.join(ALL_LABELS)}")
    if not phrase or "\n" in phrase:
        raise click.ClickException("说法不能为空，也不能分行")
    if not Classifier(settings.phrases_path).learn(phrase, label, author):
        click.echo(f"已经有这条说法了：「{phrase}」→ {label}")
        return
    click.echo(f"已添加：「{phrase}」→ {label}（{settings.phrases_path}），服务会自动用上新说法。")
