"""Demo roster: elders at 怡园社区 for 马丽, children at 沈闸村 for 李明 and at 马家湾村 for 丁玉梅, and a few
visits earlier this month, so that `laoxiao chat --as 李明` can record a visit at once.

Two children in 沈闸村 are both called 小明 by everyone (王小明, 李小明): asking for 小明 shows a choice.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlite_utils import Database

from data import recipients, sites, visits
from data.clock import iso

# name, sex, age, categories, ongoing care, allowance, guardian / family, address
ELDERS = (
    ("王秀兰", "女", 86, ["高龄", "独居"], True, False, "儿子 马建国（银川打工）13709531234", "怡园社区3号楼2单元"),
    ("马占福", "男", 81, ["高龄", "空巢"], True, False, "女儿 马桂香 13995321876", "怡园社区5号楼1单元"),
    ("张桂英", "女", 78, ["特困", "独居"], True, False, "侄子 张军 15809531122", "怡园社区平房区12号"),
    ("李长贵", "男", 74, ["失能", "低保"], True, False, "老伴 周秀珍", "怡园社区7号楼"),
    ("杨玉梅", "女", 69, ["空巢"], True, False, "女儿 杨丽（吴忠）", "怡园社区2号楼"),
    ("丁守仁", "男", 83, ["高龄"], True, False, "儿子 丁海 13895371290", "怡园社区8号楼"),
    ("苏凤兰", "女", 91, ["高龄", "失能"], True, False, "孙女 苏婷", "怡园社区1号楼"),
    ("马文学", "男", 66, ["低保", "重残"], False, False, "妻子 海秀英", "怡园社区平房区3号"),
    ("周淑芳", "女", 72, ["独居"], True, False, "", "怡园社区6号楼"),
    ("海福贵", "男", 88, ["高龄", "特困"], True, False, "", "怡园社区平房区20号"),
)
CHILDREN_SHENZHA = (
    ("王小明", "男", 9, ["留守儿童"], True, False, "爷爷 王德福 13629531456", "沈闸村三组"),
    ("李小明", "男", 12, ["困境儿童"], True, False, "奶奶 马秀英", "沈闸村一组"),
    ("马雨涵", "女", 7, ["孤儿"], True, True, "姑姑 马红 15209531789（受委托监护）", "沈闸村二组"),
    ("丁浩然", "男", 13, ["事实无人抚养儿童"], True, True, "外婆 田桂兰", "沈闸村四组"),
    ("杨欣怡", "女", 10, ["留守儿童"], True, False, "爷爷 杨福", "沈闸村二组"),
    ("苏子轩", "男", 6, ["留守儿童"], True, False, "奶奶 苏兰英", "沈闸村五组"),
    ("海梓萱", "女", 14, ["困境儿童", "低保"], True, False, "母亲 马燕（残疾）", "沈闸村一组"),
    ("周俊杰", "男", 11, ["留守儿童"], False, False, "爷爷 周长林", "沈闸村三组"),
    ("王思雨", "女", 8, ["留守儿童"], True, False, "外公 王成", "沈闸村四组"),
    ("田佳豪", "男", 15, ["困境儿童"], True, False, "父亲 田勇（服刑）、伯父 田强", "沈闸村五组"),
)
CHILDREN_MAJIAWAN = (
    ("马小明", "男", 10, ["留守儿童"], True, False, "奶奶 马凤英", "马家湾村一组"),
    ("马晓燕", "女", 9, ["困境儿童"], True, False, "爷爷 马成林", "马家湾村二组"),
    ("杨子涵", "女", 13, ["留守儿童"], True, False, "外婆 杨桂花", "马家湾村三组"),
)
# Visits already recorded this month: (recipient, days before today, mode, findings, visitor openid).
EARLIER_VISITS = (
    ("马占福", 6, "上门", "精神不错，腿疼老毛病，按时吃药", "demo-worker-elder"),
    ("张桂英", 4, "电话", "说冬天的煤够烧，让社工放心", "demo-worker-elder"),
    ("杨欣怡", 5, "上门", "学习正常，爷爷身体还行", "demo-director"),
    ("马小明", 3, "到校", "在校表现好，和同学相处融洽", "demo-director-2"),
)


def _birth(today: date, years: int, index: int) -> str:
    # Spread birthdays over the year, always `years` old today.
    born = date(today.year - years, 1 + index % 12, 1 + (index * 7) % 28)
    return (born if born <= today.replace(year=today.year - years) else born.replace(year=born.year - 1)).isoformat()


def seed_roster(db: Database, now: datetime, by_openid: dict[str, dict]) -> None:
    today = now.date()
    groups = (("elder", "怡园社区", "demo-worker-elder", ELDERS),
              ("child", "沈闸村", "demo-director", CHILDREN_SHENZHA),
              ("child", "马家湾村", "demo-director-2", CHILDREN_MAJIAWAN))
    _, by_identity = recipients.identity_index(db)
    names: dict[str, int] = {}
    for kind, site_name, openid, rows in groups:
        site = sites.find_site(db, site_name)
        for index, (name, sex, years, kinds, ongoing, allowance, guardian, address) in enumerate(rows):
            record = {"kind": kind, "name": name, "sex": sex, "birth_date": _birth(today, years, index),
                      "categories": kinds, "site_id": site["id"], "responsible_id": by_openid[openid]["id"],
                      "phone": None, "guardian": guardian or None, "address": address, "ongoing_care": ongoing,
                      "allowance": allowance}
            existing = next((rid for (n, _, s), rid in by_identity.items() if n == name and s == site["id"]), None)
            names[name] = existing or recipients.insert_recipient(db, record, now)
    for name, days, mode, findings, openid in EARLIER_VISITS:
        day = today - timedelta(days=min(days, today.day - 1))
        if db.conn.execute("SELECT 1 FROM visits WHERE recipient_id = ?", [names[name]]).fetchone():
            continue
        visit_id = visits.add_visit(db, recipient_id=names[name], visitor_id=by_openid[openid]["id"],
                                    visit_date=day.isoformat(), mode=mode, findings=findings, now=now)
        # Recorded more than a day ago, so that 撤销 in the demo reaches only what the person records now.
        recorded = now - timedelta(days=max(2, (today - day).days))
        db.conn.execute("UPDATE visits SET created_at = ? WHERE id = ?", [iso(recorded), visit_id])

