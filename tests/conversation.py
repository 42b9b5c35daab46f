"""Conversations as scripts: what the person says, and what the bot's reply must contain."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from tests.wechat_peer import WeChatPeer

# A line is (says, expected): expected is a substring, a list of substrings that must all appear,
# None for "no reply at all" (WeChat gets a bare `success`), or a callable that checks the reply text.
Line = tuple[str, object]


def converse(peer: WeChatPeer, openid: str, script: Iterable[Line]) -> list[str | None]:
    replies = []
    for number, (says, expected) in enumerate(script, 1):
        reply = peer.say(openid, says)
        assert reply.status == 200, f"line {number} «{says}»: HTTP {reply.status} {reply.body[:200]}"
        text = reply.text
        _check(number, says, text, expected)
        replies.append(text)
    return replies


def _check(number: int, says: str, text: str | None, expected: object) -> None:
    where = f"line {number}: said «{says}», bot replied «{text}»"
    if expected is None:
        assert text is None, where
        return
    assert text is not None, where
    if callable(expected):
        assert expected(text), where
        return
    wanted: Sequence[str] = [expected] if isinstance(expected, str) else list(expected)
    for piece in wanted:
        if piece.startswith("!"):
            assert piece[1:] not in text, f"{where}; must not contain «{piece[1:]}»"
        else:
            assert piece in text, f"{where}; expected «{piece}»"
