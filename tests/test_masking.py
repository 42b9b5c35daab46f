"""One masking function for identifiers in free text: ID numbers, mobiles and landlines however they are typed."""

from __future__ import annotations

import pytest

from data.masking import mask_text


@pytest.mark.parametrize(("raw", "masked"), [
    ("身份证640381197001011234 电话139-5123-4567 / +86 139 5123 4567",
     "身份证**************1234 电话139****4567 / +86 139****4567"),
    ("身份证 640381 19700101 123X", "身份证 **************123X"),
    ("身份证6403-8119-7001-0112-34", "身份证**************1234"),
    ("老身份证640381700101123", "老身份证***********1123"),
    ("电话13951234567", "电话139****4567"),
    ("电话：139 5123 4567，晚上打", "电话：139****4567，晚上打"),
    ("手机+8613951234567", "手机+86139****4567"),
    ("0086-139-5123-4567", "0086-139****4567"),
    ("１３９５１２３４５６７", "139****4567"),
    ("座机0953-3012345", "座机0953-*****45"),
    ("座机 0953 3012345 或 010-12345678", "座机 0953-*****45 或 010-******78"),
    ("座机(0953)3012345", "座机(0953-*****45"),
])
def test_identifiers_in_free_text_are_masked(raw, masked):
    assert mask_text(raw) == masked


@pytest.mark.parametrize("text", [
    "msg:7000000000000000001 at 2026-11-29 R1203-07",
    "血压 140/90，体重 52.5 公斤，补贴 1200 元，2026年11月3日",
    "住怡园社区8号楼2单元301", "订单号 20261129001234", "", "没有号码",
])
def test_other_numbers_are_left_alone(text):
    assert mask_text(text) == text


def test_none_is_empty():
    assert mask_text(None) == ""
