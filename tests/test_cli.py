"""The `laoxiao` command line as an administrator uses it."""

from __future__ import annotations

from pathlib import Path

import click

from bot.cli import cli
from data import open_db

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def test_init_db_applies_migrations_and_is_repeatable(runner, env):
    first = runner.invoke(cli, ["init-db"])
    again = runner.invoke(cli, ["init-db"])
    assert first.exit_code == again.exit_code == 0
    assert "数据库已就绪" in again.output
    db = open_db(env["LAOXIAO_DB"])
    numbers = [r[0] for r in db.execute("SELECT number FROM schema_migrations ORDER BY number")]
    assert numbers == sorted(set(numbers)) and numbers[0] == 1
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert [r["name"] for r in db["sites"].rows] [:2] == ["怡园社区", "沈闸村"]


def test_site_add_and_list(runner):
    assert runner.invoke(cli, ["site", "add", "小坝村", "--project", "child"]).exit_code == 0
    duplicate = runner.invoke(cli, ["site", "add", "小坝村", "--project", "child"])
    assert duplicate.exit_code != 0 and "已存在" in duplicate.output
    listing = runner.invoke(cli, ["site", "list"]).output
    assert "小坝村" in listing and "儿童项目" in listing and "怡园社区" in listing
    wrong = runner.invoke(cli, ["site", "add", "某地", "--project", "adult"])
    assert wrong.exit_code != 0


def test_invite_prints_the_code_on_the_last_line(runner):
    result = runner.invoke(cli, ["invite", "--role", "director", "--site", "沈闸村", "--name", "李明"])
    assert result.exit_code == 0
    code = result.output.strip().splitlines()[-1]
    assert len(code) == 8 and code.isalnum() and code.upper() == code


def test_chat_goes_through_the_same_handlers(runner):
    result = runner.invoke(cli, ["chat", "--as", "terminal-user"], input="帮助\n绑定\n取消\n")
    assert result.exit_code == 0
    assert "您可以发" in result.output and "绑定码" in result.output and "已取消" in result.output


def test_demo_builds_personas_of_every_role(runner, env):
    result = runner.invoke(cli, ["demo", "--no-serve"])
    assert result.exit_code == 0, result.output
    db = open_db(env["LAOXIAO_DB"])
    roles = {r["role"] for r in db["people"].rows}
    assert roles >= {"admin", "worker", "director", "team_lead", "volunteer", "family"}
    again = runner.invoke(cli, ["demo", "--no-serve"])  # idempotent: no duplicates
    assert again.exit_code == 0
    assert db.execute("SELECT COUNT(*) FROM people WHERE openid = 'demo-director'").fetchone()[0] == 1
    chat = runner.invoke(cli, ["chat", "--as", "李明"], input="帮助\n")
    assert "李明" in chat.output and "沈闸村儿童主任" in chat.output


def _commands(group: click.Group, prefix: str = "") -> list[str]:
    names = []
    for name, command in group.commands.items():
        full = f"{prefix}{name}"
        names.append(full)
        if isinstance(command, click.Group):
            names += _commands(command, f"{full} ")
    return names


def test_every_command_is_documented_in_the_readme():
    missing = [name for name in _commands(cli) if f"laoxiao {name}" not in README]
    assert missing == []


def test_chat_demo_uses_the_database_the_demo_built(runner, monkeypatch, tmp_path):
    monkeypatch.delenv("LAOXIAO_DB")
    monkeypatch.chdir(tmp_path)
    built = runner.invoke(cli, ["demo", "--no-serve"])
    assert built.exit_code == 0 and "chat --demo --as" in built.output
    assert (tmp_path / "instance" / "demo.db").exists()
    chat = runner.invoke(cli, ["chat", "--demo", "--as", "李明"], input="帮助\n")
    assert "沈闸村儿童主任" in chat.output
