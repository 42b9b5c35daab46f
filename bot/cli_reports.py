"""`laoxiao report`, `laoxiao report submit`, `laoxiao report status` and `laoxiao project`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from data import open_db
from data.clock import utcnow
from data.record_rules import Actor, RecordError


def register(cli: click.Group) -> None:
    cli.add_command(report)
    cli.add_command(project)


def _settings():
    from bot.cli import _settings as load

    return load()


def _fail(exc: RecordError) -> click.ClickException:
    return click.ClickException(str(exc))


@click.group(invoke_without_command=True,
             help="月度工作总结：laoxiao report --month 2026-11 [--site 沈闸村] --format md|xlsx|json [--out 文件]；"
                  "评估用 --from 2026-06-01 --to 2026-11-30 / monthly work summary")
@click.option("--month", help="月份 YYYY-MM")
@click.option("--from", "first", help="开始日期 YYYY-MM-DD（中期、末期评估）")
@click.option("--to", "last", help="结束日期 YYYY-MM-DD")
@click.option("--site", help="只统计一个站点，如 沈闸村")
@click.option("--format", "fmt", type=click.Choice(["md", "xlsx", "json"]), default="md", show_default=True)
@click.option("--out", "-o", "output", type=click.Path(dir_okay=False, path_type=Path),
              help="输出文件；不写时输出到屏幕（xlsx 必须写）")
@click.pass_context
def report(ctx: click.Context, month: str | None, first: str | None, last: str | None, site: str | None, fmt: str,
           output: Path | None) -> None:
    if ctx.invoked_subcommand is not None:
        return
    from data import report as reports
    from data.report_render import to_json, to_markdown, write_xlsx

    if fmt == "xlsx" and output is None:
        raise click.ClickException("xlsx 格式请用 --out 指定文件，例如 --out 月报.xlsx")
    settings = _settings()
    db = open_db(settings.db_path)
    try:
        built = reports.build(db, tz=settings.tz, today=utcnow().astimezone(settings.tz).date(),
                              **reports.window(db, month=month, first=first, last=last, site=site))
    except RecordError as exc:
        raise _fail(exc) from None
    if fmt == "xlsx":
        write_xlsx(built, output)
        click.echo(f"已生成 {output}")
        return
    text = to_json(built) if fmt == "json" else to_markdown(built)
    if output is None:
        sys.stdout.write(text)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    click.echo(f"已生成 {output}")


@report.command("submit", help="登记某月计划或总结已提交（何时、交给谁）/ record a report as submitted")
@click.option("--month", required=True, help="月份 YYYY-MM")
@click.option("--project", "code", required=True, type=click.Choice(["elder", "child"]))
@click.option("--kind", type=click.Choice(["summary", "plan"]), default="summary", show_default=True,
              help="summary 月工作总结，plan 月工作计划")
@click.option("--to", "recipients", default="民政局、第三方评估机构", show_default=True, help="提交对象")
@click.option("--date", "day", help="提交日期 YYYY-MM-DD，默认今天")
@click.option("--note", default="", help="备注")
def report_submit(month: str, code: str, kind: str, recipients: str, day: str | None, note: str) -> None:
    from data import submissions

    settings = _settings()
    db = open_db(settings.db_path)
    now = utcnow()
    try:
        submissions.record_submission(db, code, month, kind, by=Actor(label="cli"), now=now,
                                      today=now.astimezone(settings.tz).date(), submitted_on=day,
                                      recipients=recipients, note=note)
    except RecordError as exc:
        raise _fail(exc) from None
    row = submissions.latest(db, code, month, kind)
    click.echo(f"已登记：{month} {submissions.KINDS[kind]}于{row['submitted_on']}提交给{row['recipients']}。")


@report.command("status", help="各月计划和总结的提交情况 / submission status by month")
@click.option("--project", "code", type=click.Choice(["elder", "child"]), help="只看一个项目")
def report_status(code: str | None) -> None:
    from datetime import date

    from data import projects, submissions

    db = open_db(_settings().db_path)
    for row in projects.list_projects(db):
        if code and row["code"] != code:
            continue
        click.echo(f"{projects.NAMES[row['code']]}（{row['start_date']} 至 {row['end_date']}）")
        months = projects.months_between(date.fromisoformat(row["start_date"]), date.fromisoformat(row["end_date"]))
        for item in submissions.listing(db, [row["code"]], months):
            cells = []
            for kind, label in submissions.KINDS.items():
                found = item[kind]
                late = "（逾期）" if item[f"{kind}_late"] else ""
                cells.append(f"{label}：{found['submitted_on'] + late if found else '未提交'}")
            click.echo(f"  {item['month']}  " + "  ".join(cells))


@click.group(help="项目周期和预算 / project period and budget")
def project() -> None:
    pass


@project.command("list", help="列出项目 / list projects")
def project_list() -> None:
    from data import projects

    for row in projects.list_projects(open_db(_settings().db_path)):
        click.echo(f"{row['code']}\t{row['name']}\t{row['start_date']} 至 {row['end_date']}\t预算 {row['budget']} 元")


@project.command("set", help="设置项目周期或预算：laoxiao project set child --start 2026-06-01 --end 2027-05-31")
@click.argument("code", type=click.Choice(["elder", "child"]))
@click.option("--start", help="开始日期 YYYY-MM-DD")
@click.option("--end", help="结束日期 YYYY-MM-DD")
@click.option("--budget", help="预算（元）")
@click.option("--name", help="项目名称")
def project_set(code: str, start: str | None, end: str | None, budget: str | None, name: str | None) -> None:
    from data import projects

    db = open_db(_settings().db_path)
    try:
        row = projects.set_project(db, code, utcnow(), start=start, end=end, budget=budget, name=name)
    except RecordError as exc:
        raise _fail(exc) from None
    click.echo(f"已更新：{row['name']}，{row['start_date']} 至 {row['end_date']}，预算 {row['budget']} 元")
