"""CLI for rosters and visits: `laoxiao import recipients`, `laoxiao template recipients`,
`laoxiao export recipients|visits`."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import click

from data import open_db
from data.clock import utcnow

MAX_LISTED_PROBLEMS = 200
EXPORTS = ("recipients", "visits")


def group(cli: click.Group, name: str, help_text: str) -> click.Group:
    """The sub-command group `name`, created once: several features add commands to `export` and `import`."""
    existing = cli.commands.get(name)
    if isinstance(existing, click.Group):
        return existing
    made = click.Group(name=name, help=help_text)
    cli.add_command(made)
    return made


def register(cli: click.Group) -> None:
    from bot.cli import _settings

    importer = group(cli, "import", "从文件导入数据 / import data from a file")
    template = group(cli, "template", "生成空白导入模板 / write an empty import template")
    exporter = group(cli, "export", "导出数据 / export data as csv, json or xlsx")

    @cli.group("recipient", help="服务对象：设置走访等级等 / one recipient's settings")
    def recipient_group() -> None:
        pass

    @recipient_group.command("set", help="设置走访等级：recipient set 王秀兰 --level 重点 / set the visit level")
    @click.argument("name")
    @click.option("--level", required=True, help="重点（每周）、一般（每月）、稳定（每季度）")
    @click.option("--site", "site_name", help="同名时指定站点，如 怡园社区")
    def recipient_set(name: str, level: str, site_name: str | None) -> None:
        from bot.cli import site_id_or_fail
        from data import audit, recipients
        from data.coverage import LEVEL_WORDS
        from data.db import transaction

        db = open_db(_settings().db_path)
        chosen = recipients.parse_level(level)
        if chosen is None:
            raise click.ClickException(f"没有走访等级「{level}」。可选：重点（每周）、一般（每月）、稳定（每季度）")
        site_id = site_id_or_fail(db, site_name)
        found = [r for r in db.query("SELECT r.*, s.name AS site_name FROM recipients r JOIN sites s"
                                     " ON s.id = r.site_id WHERE r.name = ? AND r.active = 1", [name])
                 if site_id is None or r["site_id"] == site_id]
        if not found:
            raise click.ClickException(f"没有在册的服务对象「{name}」")
        if len(found) > 1:
            where = "、".join(r["site_name"] for r in found)
            raise click.ClickException(f"有 {len(found)} 位「{name}」（{where}），请加 --site 指定")
        with transaction(db):
            recipients.set_level(db, found[0]["id"], chosen, utcnow())
            audit.record(db, utcnow(), "cli", "recipient_level", f"recipient:{found[0]['id']}", {"level": chosen})
        click.echo(f"已设置：{name}（{found[0]['site_name']}）走访等级「{chosen}」，{LEVEL_WORDS[chosen]}至少上门见到一次。")

    @importer.command("recipients", help="导入服务对象名单（.xlsx 或 .csv）/ import the recipient roster")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--skip-bad", is_flag=True, help="有错误的行跳过，其余照常导入 / write the good rows, list the bad")
    def import_recipients(file: Path, skip_bad: bool) -> None:
        from data.roster_import import RosterError, import_table, read_table

        settings = _settings()
        db = open_db(settings.db_path)
        now = utcnow()
        try:
            table = read_table(file)
            with click.progressbar(length=len(table.rows), label="检查", file=sys.stderr,
                                   show_pos=True) as bar:
                result = import_table(db, table, settings.secret_key, now, now.astimezone(settings.tz).date(),
                                      skip_bad=skip_bad, progress=bar.update, actor="cli")
        except RosterError as exc:
            raise click.ClickException(str(exc)) from None
        for problem in result.warnings[:MAX_LISTED_PROBLEMS]:
            click.echo(f"提醒 {problem}")
        for problem in result.errors[:MAX_LISTED_PROBLEMS]:
            click.echo(f"错误 {problem}")
        if len(result.errors) > MAX_LISTED_PROBLEMS:
            click.echo(f"……另有 {len(result.errors) - MAX_LISTED_PROBLEMS} 个错误未列出")
        if not result.written:
            raise click.ClickException(
                f"共 {result.total} 行，{len(result.bad_rows)} 行有错误，没有导入任何数据。"
                "改正后重新导入，或加 --skip-bad 只导入没问题的行。")
        skipped = f"，跳过有错误的 {len(result.bad_rows)} 行（第{_rows(result.bad_rows)}行）" if result.bad_rows else ""
        click.echo(f"导入完成：新增 {result.created} 人，更新 {result.updated} 人，"
                   f"无变化 {result.unchanged} 人{skipped}。")

    @template.command("recipients", help="生成服务对象名单模板 .xlsx / write the roster template")
    @click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
    def template_recipients(out: Path) -> None:
        from data.roster_import import write_template

        if out.suffix.lower() != ".xlsx":
            raise click.ClickException("模板文件名要以 .xlsx 结尾")
        write_template(out)
        click.echo(f"已生成模板：{out}（填好「服务对象」页后用 laoxiao import recipients {out} 导入）")

    @exporter.command("recipients", help="导出服务对象（身份证号、电话已打码）/ export recipients, masked")
    @_export_options
    def export_recipients(fmt: str, month: str | None, site: str | None, output: Path | None) -> None:
        _export("recipients", fmt, month, site, output)

    @exporter.command("visits", help="导出走访记录 / export visits")
    @_export_options
    def export_visits(fmt: str, month: str | None, site: str | None, output: Path | None) -> None:
        _export("visits", fmt, month, site, output)


def _rows(numbers: list[int]) -> str:
    shown = "、".join(str(n) for n in numbers[:20])
    return shown + ("等" if len(numbers) > 20 else "")


def _export_options(func):
    func = click.option("--output", "--out", "-o", type=click.Path(dir_okay=False, path_type=Path),
                        help="输出文件；不写时 csv/json 输出到屏幕，xlsx 存到当前目录")(func)
    func = click.option("--site", help="只导出某个站点，如 沈闸村")(func)
    func = click.option("--month", help="月份 YYYY-MM（走访按走访日期筛选；名单统计该月走访次数）")(func)
    return click.option("--format", "fmt", type=click.Choice(["csv", "json", "xlsx"]), default="csv",
                        show_default=True)(func)


def _export(what: str, fmt: str, month: str | None, site_name: str | None, output: Path | None) -> None:
    from bot.cli import _settings, site_id_or_fail
    from data import recipients, visits
    from data.exports import write_rows

    settings = _settings()
    db = open_db(settings.db_path)
    today = utcnow().astimezone(settings.tz).date()
    if month is not None and not _is_month(month):
        raise click.ClickException(f"月份「{month}」不对，请写成 2026-11 这样")
    site_id = site_id_or_fail(db, site_name)
    if what == "recipients":
        rows = recipients.export_rows(db, month or today.strftime("%Y-%m"), site_id)
        columns = recipients.COLUMNS
    else:
        rows, columns = visits.export_rows(db, month, site_id), visits.COLUMNS
    if output is None and fmt == "xlsx":
        output = Path(f"{what}-{month or today.isoformat()}.xlsx")
    if output is None:
        write_rows(rows, columns, fmt, sys.stdout.buffer)
        sys.stdout.flush()
        return
    count = write_rows(rows, columns, fmt, output)
    click.echo(f"已导出 {count} 条到 {output}")


def _is_month(text: str) -> bool:
    match = re.fullmatch(r"(\d{4})-(\d{2})", text)
    return bool(match) and 1 <= int(match.group(2)) <= 12
