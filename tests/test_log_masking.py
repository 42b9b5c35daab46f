"""Logs never carry a phone or ID card number in clear, whatever code logged it."""

from __future__ import annotations

import logging

import pytest

from bot.log_masking import MaskingFilter
from data.masking import mask_text as mask_sensitive
from tests.conftest import command_feature, peer_with


@pytest.mark.parametrize(("raw", "hidden", "kept"), [
    ("电话 13809511234 请回电", "09511234", "138****1234"),
    ("电话 138-0951-1234", "0951-1234", "138****1234"),
    ("身份证 64038119800101123X 已录入", "19800101", "**************123X"),
    ("座机 0953-3012345", "3012345", "0953-*****45"),
])
def test_numbers_are_masked(raw, hidden, kept):
    masked = mask_sensitive(raw)
    assert hidden not in masked and kept in masked


def test_ordinary_numbers_are_left_alone():
    assert mask_sensitive("msg:7000000000000000001 at 2026-11-29 R1203-07") == \
        "msg:7000000000000000001 at 2026-11-29 R1203-07"


def test_an_exception_carrying_a_phone_number_is_logged_masked(settings, caplog):
    def broken(ctx, rest):
        raise ValueError(f"cannot reach {rest}")

    wechat = peer_with(settings, command_feature("坏电话", broken))
    caplog.handler.addFilter(MaskingFilter())
    with caplog.at_level(logging.ERROR):
        reply = wechat.say("log-user", "坏电话 13809511234")
    assert "出了点问题" in reply.text
    logged = caplog.text
    assert "handling failed" in logged
    assert "13809511234" not in logged and "138****1234" in logged
