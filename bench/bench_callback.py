#!/usr/bin/env python3
"""Time one WeChat message through the whole callback (verify, decrypt, dedupe, route, store, encrypt).

WeChat waits 5 seconds for a reply; this shows how far below that we are. Baseline in the same run: the
same signed and encrypted round trip to /wechat with a message whose key was already answered (a retry),
which costs the protocol work and one lookup but no routing.

    python bench/bench_callback.py [--messages 300]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.app import create_app  # noqa: E402
from bot.config import load_settings  # noqa: E402
from data import open_db  # noqa: E402
from data.clock import utcnow  # noqa: E402
from data.demo import seed_demo  # noqa: E402
from tests.wechat_peer import AES_KEY, APPID, TOKEN, WeChatPeer  # noqa: E402

SCRIPTS = {
    "demo-director": ["走访 王小明 今天 上门 娃挺好 作业写完了", "1", "名单", "本月", "查 李小明"],
    "demo-worker-elder": ["走访 王秀兰 昨天 电话 血压有点高，降压药快吃完了", "1", "本月"],
    "demo-family": ["我妈一个人在家，饭都吃不上热的，能不能有人给送个饭", "张秀英，怡园社区5号楼3单元", "跳过", "1",
                    "我的求助"],
    "stranger": ["你好", "帮助", "低保咋办", "取消"],
}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        env = {"LAOXIAO_DB": f"{folder}/bench.db", "WECHAT_TOKEN": TOKEN, "WECHAT_APPID": APPID,
               "WECHAT_AES_KEY": AES_KEY, "LAOXIAO_QUIET_HOURS": "", "LAOXIAO_LOG_LEVEL": "WARNING"}
        app = create_app(load_settings(env=env, dotenv=False))
        db = open_db(env["LAOXIAO_DB"])
        seed_demo(db, utcnow())
        peer = WeChatPeer(app.test_client(), safe=True)
        handled, retried = [], []
        sent = 0
        while sent < args.messages:
            for openid, script in SCRIPTS.items():
                for text in script:
                    msg_id = 10_000_000 + sent
                    start = time.perf_counter()
                    reply = peer.message(openid, "text", msg_id=msg_id, Content=text)
                    handled.append((time.perf_counter() - start) * 1000)
                    start = time.perf_counter()
                    again = peer.message(openid, "text", msg_id=msg_id, Content=text)
                    retried.append((time.perf_counter() - start) * 1000)
                    assert reply.status == again.status == 200 and reply.text == again.text
                    sent += 1
    base = statistics.median(retried)
    print(f"{len(handled)} messages, safe mode, demo data")
    print(f"{'':22}{'median ms':>10}{'p99 ms':>10}{'max ms':>10}")
    print(f"{'handled (full route)':22}{statistics.median(handled):>10.2f}{percentile(handled, .99):>10.2f}"
          f"{max(handled):>10.2f}")
    print(f"{'retry (baseline)':22}{base:>10.2f}{percentile(retried, .99):>10.2f}{max(retried):>10.2f}")
    print(f"ratio of medians: {statistics.median(handled) / base:.1f}x the protocol round trip; "
          f"WeChat's limit is 5,000 ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
