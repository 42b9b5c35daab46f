"""Callback traffic as WeChat sends it, in safe mode: every request signed, encrypted, with a fresh MsgId and a
current timestamp, carrying real conversations (visits step by step, help requests, unbound greetings).

Requests are generated ahead of a run (the replay window is 5 minutes) and interleaved by rounds: step 1 of
every person, then step 2 ..., so one person's steps never overlap even with many connections in flight.
"""

from __future__ import annotations

import itertools
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from tests.wechat_peer import AES_KEY, APPID, OFFICIAL, TOKEN, aes_encrypt, build_xml, sha1_sign

VISIT = ("走访", "{child}", "上门", "娃挺好，作业写完了，奶奶身体也还行", "无", "1")
REQUEST = ("我妈一个人在家，饭都吃不上热的，能不能有人给送个饭", "张秀英，怡园社区5号楼3单元", "跳过", "1", "我的求助")
GREETING = ("你好", "帮助")
CHILDREN = ("王小明", "李小明", "马雨涵", "丁浩然", "杨欣怡", "苏子轩", "海梓萱", "周俊杰", "王思雨", "田佳豪")
ENV = {"WECHAT_TOKEN": TOKEN, "WECHAT_AES_KEY": AES_KEY, "WECHAT_APPID": APPID}
_ids = itertools.count(int(time.time()) * 1000)


@dataclass(frozen=True)
class Mix:
    """How many people of each kind talk at once (the shares of the callback's traffic)."""
    directors: int = 40
    families: int = 40
    strangers: int = 20


def director_openids(mix: Mix) -> list[str]:
    return [f"bench-director-{n}" for n in range(mix.directors)]


def prepare_database(db_path: str | Path, mix: Mix) -> None:
    """The demo data, plus the directors of 沈闸村 who record visits in the traffic."""
    from data import open_db, people, sites
    from data.clock import utcnow
    from data.db import transaction
    from data.demo import seed_demo

    db = open_db(db_path)
    now = utcnow()
    seed_demo(db, now)
    site = sites.find_site(db, "沈闸村")
    with transaction(db):
        for n, openid in enumerate(director_openids(mix)):
            person = people.ensure_person(db, openid, now)
            people.assign_role(db, person["id"], "director", site["id"], f"主任{n}", now)
    db.close()


def conversations(mix: Mix) -> list[tuple[str, tuple[str, ...]]]:
    talks = [(openid, tuple(s.format(child=CHILDREN[n % len(CHILDREN)]) for s in VISIT))
             for n, openid in enumerate(director_openids(mix))]
    talks += [(f"bench-family-{n}", REQUEST) for n in range(mix.families)]
    talks += [(f"bench-stranger-{n}", GREETING) for n in range(mix.strangers)]
    return talks


def messages(count: int, mix: Mix) -> list[tuple[str, str]]:
    """`count` (openid, text) pairs in the order they are to be sent: round-robin over people's scripts,
    each person starting their script again once done."""
    talks = conversations(mix)
    positions = [0] * len(talks)
    out: list[tuple[str, str]] = []
    while len(out) < count:
        for index, (openid, script) in enumerate(talks):
            out.append((openid, script[positions[index]]))
            positions[index] = (positions[index] + 1) % len(script)
            if len(out) == count:
                break
    return out


def signed_request(openid: str, text: str, now: int | None = None) -> tuple[str, bytes]:
    """(path with query, body) of one safe-mode text message."""
    now = now or int(time.time())
    inner = build_xml({"ToUserName": OFFICIAL, "FromUserName": openid, "CreateTime": now, "MsgType": "text",
                       "Content": text, "MsgId": next(_ids)})
    encrypted = aes_encrypt(inner)
    nonce = secrets.token_hex(6)
    ts = str(now)
    query = {"timestamp": ts, "nonce": nonce, "signature": sha1_sign(TOKEN, ts, nonce), "encrypt_type": "aes",
             "msg_signature": sha1_sign(TOKEN, ts, nonce, encrypted), "openid": openid}
    body = build_xml({"ToUserName": OFFICIAL, "Encrypt": encrypted})
    return "/wechat?" + urlencode(query), body.encode()


def write_requests(path: Path, count: int, mix: Mix) -> Path:
    """One request per line, `path<TAB>body`, for wrk's Lua script."""
    now = int(time.time())
    with open(path, "wb") as out:
        for openid, text in messages(count, mix):
            target, body = signed_request(openid, text, now)
            out.write(target.encode() + b"\t" + body + b"\n")
    return path


def read_requests(path: Path) -> list[tuple[str, bytes]]:
    pairs = []
    for line in path.read_bytes().splitlines():
        target, body = line.split(b"\t", 1)
        pairs.append((target.decode(), body))
    return pairs
