"""The people and recipients most visit tests share, on a fixed day: Friday 20 November 2026, 10:00 in Ningxia."""

from __future__ import annotations

from datetime import datetime

from data import recipients
from data.clock import utcnow

TODAY = datetime.fromisoformat("2026-11-20T02:00:00+00:00")


def add_recipient(db, name: str, site_id: int, kind: str = "child", responsible: dict | None = None,
                  birth: str = "2016-05-01", sex: str = "男", allowance: bool = False, ongoing: bool = True,
                  categories: tuple[str, ...] = ("留守儿童",)) -> int:
    return recipients.insert_recipient(db, {
        "kind": kind, "name": name, "sex": sex, "birth_date": birth, "categories": list(categories),
        "site_id": site_id, "responsible_id": responsible["id"] if responsible else None, "phone": None,
        "guardian": None, "address": None, "ongoing_care": ongoing, "allowance": allowance}, utcnow())


def make_team(db, person) -> dict:
    """马丽 works with 怡园社区's elders; 李明 directs 沈闸村 (杨帆 is its worker); 丁玉梅 directs 马家湾村."""
    people = {"ma": person("w-mali", "worker", "怡园社区", "马丽"),
              "li": person("d-liming", "director", "沈闸村", "李明"),
              "yang": person("w-yangfan", "worker", "沈闸村", "杨帆"),
              "ding": person("d-ding", "director", "马家湾村", "丁玉梅"),
              "boss": person("a-zhang", "admin", None, "张主任")}
    yiyuan, shenzha, majiawan = (people[k]["site_id"] for k in ("ma", "li", "ding"))
    ids = {
        "王秀兰": add_recipient(db, "王秀兰", yiyuan, "elder", people["ma"], "1940-03-05", "女", categories=("高龄",)),
        "张桂英": add_recipient(db, "张桂英", yiyuan, "elder", people["ma"], "1948-01-02", "女", categories=("独居",)),
        "王小明": add_recipient(db, "王小明", shenzha, responsible=people["li"], birth="2017-04-01"),
        "李小明": add_recipient(db, "李小明", shenzha, responsible=people["li"], birth="2014-09-09"),
        "马雨涵": add_recipient(db, "马雨涵", shenzha, responsible=people["li"], sex="女", allowance=True,
                             categories=("孤儿",)),
        "马小明": add_recipient(db, "马小明", majiawan, responsible=people["ding"]),
    }
    return {**people, "ids": ids}
