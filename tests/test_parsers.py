"""flows.parsers: what cadres type or dictate, and what elders' families send, turned into clean values."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest

from flows.errors import Ambiguous, Invalid
from flows.parsers import (
    chinese_to_int,
    find_date,
    find_number,
    find_phone,
    format_date,
    mask_phone,
    normalize,
    parse_choice,
    parse_date,
    parse_number,
    parse_phone,
    parse_yes_no,
    weekday_name,
)

MON = date(2026, 11, 2)  # a Monday, early in the month
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def test_fixed_days_are_the_weekdays_the_cases_assume():
    assert MON.weekday() == 0
    assert date(2026, 1, 1).weekday() == 3
    assert date(2028, 3, 1).weekday() == 2


def assert_invalid(func, *args, **kwargs) -> str:
    with pytest.raises(Invalid) as exc:
        func(*args, **kwargs)
    message = str(exc.value)
    assert CHINESE.search(message), message
    return message


# ---------------------------------------------------------------- normalize


@pytest.mark.parametrize("raw, clean", [
    ("  是的。 ", "是的"),
    ("１２３", "123"),
    ("ＯＫ", "OK"),
    ("a\u3000b", "a b"),
    ("a \n\t b", "a b"),
    ("好！！", "好"),
    ("好~", "好"),
    ("好～", "好"),
    ("好的。。。", "好的"),
    ("好……", "好"),
    ("ok.", "ok"),
    ("\u200b是\ufeff", "是"),
    ("是？", "是？"),
    ("Ａ，Ｂ（１）", "A，B（1）"),
    ("1、", "1"),
    ("", ""),
    ("   ", ""),
])
def test_normalize(raw, clean):
    assert normalize(raw) == clean


def test_normalize_tolerates_none():
    assert normalize(None) == ""  # type: ignore[arg-type]


# ---------------------------------------------------------------- chinese numerals


@pytest.mark.parametrize("text, value", [
    ("0", 0), ("12", 12), ("１２", 12), ("零", 0), ("〇", 0), ("一", 1), ("两", 2), ("十", 10),
    ("十二", 12), ("二十", 20), ("二十三", 23), ("九十九", 99), ("一百", 100), ("一百零五", 105),
    ("一百五", 150), ("一百一十", 110), ("两千", 2000), ("一千零十", 1010), ("两千零二十六", 2026),
    ("三万五", 35000), ("三万零五", 30005), ("一万二千", 12000), ("十万", 100000), ("3万5", 35000),
    ("15万", 150000), ("二〇二六", 2026), ("一三八", 138),
])
def test_chinese_to_int(text, value):
    assert chinese_to_int(text) == value


@pytest.mark.parametrize("text", ["", "十十", "百", "万", "万一", "千万", "一十百", "abc", "三个", "-3",
                                  "1" * 40])
def test_chinese_to_int_rejects(text):
    assert chinese_to_int(text) is None


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize("text, expected", [
    ("今天", MON), ("今儿", MON), ("今日", MON), ("今天。", MON),
    ("昨天", date(2026, 11, 1)), ("昨日", date(2026, 11, 1)), ("昨儿", date(2026, 11, 1)),
    ("昨儿个", date(2026, 11, 1)),
    ("前天", date(2026, 10, 31)), ("大前天", date(2026, 10, 30)),
    ("明天", date(2026, 11, 3)), ("后天", date(2026, 11, 4)), ("大后天", date(2026, 11, 5)),
    ("上周三", date(2026, 10, 28)), ("上星期三", date(2026, 10, 28)), ("上礼拜三", date(2026, 10, 28)),
    ("上个星期三", date(2026, 10, 28)), ("上周一", date(2026, 10, 26)),
    ("上周日", date(2026, 11, 1)), ("上礼拜天", date(2026, 11, 1)), ("上上周五", date(2026, 10, 23)),
    ("本周一", MON), ("这周一", MON), ("这个星期一", MON), ("这周日", date(2026, 11, 8)),
    ("下周一", date(2026, 11, 9)),
    ("周三", date(2026, 10, 28)), ("星期三", date(2026, 10, 28)), ("礼拜三", date(2026, 10, 28)),
    ("周一", MON), ("星期日", date(2026, 11, 1)), ("礼拜天", date(2026, 11, 1)),
    ("星期天", date(2026, 11, 1)),
    ("周六", date(2026, 10, 31)),
    # Tomorrow stays tomorrow (a visit then refuses it as a future date), never a year or a month ago.
    ("11月3日", date(2026, 11, 3)), ("11月3号", date(2026, 11, 3)), ("11月2日", MON),
    ("10月31日", date(2026, 10, 31)), ("１１月３日", date(2026, 11, 3)), ("11月3", date(2026, 11, 3)),
    ("11 月 3 日", date(2026, 11, 3)), ("2026 年 11 月 3 日", date(2026, 11, 3)),
    ("28 号", date(2026, 10, 28)), ("十一月三日", date(2026, 11, 3)), ("十月二十八号", date(2026, 10, 28)),
    ("3号", date(2026, 11, 3)), ("3日", date(2026, 11, 3)), ("2号", MON), ("1号", date(2026, 11, 1)),
    ("28号", date(2026, 10, 28)), ("三号", date(2026, 11, 3)), ("二十八号", date(2026, 10, 28)),
    ("11月20日", date(2026, 11, 20)), ("12月25日", date(2025, 12, 25)), ("20号", date(2026, 10, 20)),
    ("三十一号", date(2026, 10, 31)), ("二十八日", date(2026, 10, 28)),
    ("2026-11-03", date(2026, 11, 3)), ("2026/11/3", date(2026, 11, 3)), ("2026.11.03", date(2026, 11, 3)),
    ("2026-1-5", date(2026, 1, 5)), ("２０２６－１１－０３", date(2026, 11, 3)),
    ("2026年11月3日", date(2026, 11, 3)), ("2026年11月3号", date(2026, 11, 3)),
    ("26年1月5日", date(2026, 1, 5)),
    ("二〇二五年十二月一日", date(2025, 12, 1)), ("去年3月5号", date(2025, 3, 5)),
    ("今年3月5号", date(2026, 3, 5)), ("明年1月1日", date(2027, 1, 1)),
    ("上个月15号", date(2026, 10, 15)), ("上月十五日", date(2026, 10, 15)), ("上上个月1号", date(2026, 9, 1)),
    ("这个月1号", date(2026, 11, 1)), ("本月2日", MON), ("下个月3号", date(2026, 12, 3)),
    ("三天前", date(2026, 10, 30)), ("3天前", date(2026, 10, 30)), ("两天后", date(2026, 11, 4)),
    ("一周前", date(2026, 10, 26)), ("两个星期前", date(2026, 10, 19)),
    ("昨天上午", date(2026, 11, 1)), ("是昨天去的", date(2026, 11, 1)), ("昨天，11月1日", date(2026, 11, 1)),
])
def test_parse_date_past(text, expected):
    assert parse_date(text, MON) == expected


@pytest.mark.parametrize("text, expected", [
    ("周三", date(2026, 11, 4)), ("周一", MON), ("周日", date(2026, 11, 8)), ("星期天", date(2026, 11, 8)),
    ("3号", date(2026, 11, 3)), ("2号", MON), ("1号", date(2026, 12, 1)), ("28号", date(2026, 11, 28)),
    ("11月3日", date(2026, 11, 3)), ("11月1日", date(2027, 11, 1)), ("明天", date(2026, 11, 3)),
    ("后天", date(2026, 11, 4)), ("下周三", date(2026, 11, 11)), ("上周三", date(2026, 10, 28)),
    ("今天", MON), ("2026-12-24", date(2026, 12, 24)),
])
def test_parse_date_future(text, expected):
    assert parse_date(text, MON, prefer="future") == expected


@pytest.mark.parametrize("text, today, prefer, expected", [
    # year boundary
    ("12月30日", date(2026, 1, 5), "past", date(2025, 12, 30)),
    ("12月4日", date(2026, 12, 3), "past", date(2026, 12, 4)),
    ("1月5日", date(2026, 12, 30), "past", date(2026, 1, 5)),
    ("1月2日", date(2026, 12, 30), "future", date(2027, 1, 2)),
    ("上个月15号", date(2026, 1, 5), "past", date(2025, 12, 15)),
    ("下个月15号", date(2026, 12, 5), "future", date(2027, 1, 15)),
    ("28号", date(2026, 1, 2), "past", date(2025, 12, 28)),
    ("3号", date(2026, 12, 5), "future", date(2027, 1, 3)),
    ("上周三", date(2026, 1, 1), "past", date(2025, 12, 24)),
    ("昨天", date(2026, 1, 1), "past", date(2025, 12, 31)),
    ("明天", date(2026, 12, 31), "future", date(2027, 1, 1)),
    ("去年12月31日", date(2026, 1, 1), "past", date(2025, 12, 31)),
    # month boundary
    ("31号", MON, "past", date(2026, 10, 31)),
    ("前天", date(2026, 3, 1), "past", date(2026, 2, 27)),
    ("上个月31号", date(2026, 11, 20), "past", date(2026, 10, 31)),
    ("30号", date(2026, 3, 1), "future", date(2026, 3, 30)),
    # leap year
    ("2月29日", date(2028, 3, 1), "past", date(2028, 2, 29)),
    ("2028年2月29日", date(2028, 3, 1), "past", date(2028, 2, 29)),
    ("2月29日", date(2027, 3, 1), "future", date(2028, 2, 29)),
    ("29号", date(2028, 3, 1), "past", date(2028, 2, 29)),
    ("昨天", date(2028, 3, 1), "past", date(2028, 2, 29)),
    ("上周四", date(2028, 3, 1), "past", date(2028, 2, 24)),
    # 「上周日」 on a Monday is yesterday; bare weekday on that very day is today
    ("上周日", date(2026, 11, 30), "past", date(2026, 11, 29)),
    ("周一", date(2026, 11, 30), "past", date(2026, 11, 30)),
    ("周一", date(2026, 11, 30), "future", date(2026, 11, 30)),
    ("本周日", date(2026, 11, 30), "past", date(2026, 12, 6)),
    ("周日", date(2026, 11, 29), "past", date(2026, 11, 29)),
])
def test_parse_date_edges(text, today, prefer, expected):
    assert parse_date(text, today, prefer=prefer) == expected


def test_parse_date_accepts_a_datetime_as_today():
    assert parse_date("昨天", datetime(2026, 11, 2, 23, 59)) == date(2026, 11, 1)
    assert type(parse_date("昨天", datetime(2026, 11, 2, 23, 59))) is date


@pytest.mark.parametrize("text, fragment", [
    ("2月30日", "2月没有30日"),
    ("2月31号", "2月没有31日"),
    ("4月31日", "4月没有31日"),
    ("13月1日", "没有13月"),
    ("0月3日", "没有0月"),
    ("0月0日", "没有0月"),
    ("2027年2月29日", "2027年2月没有29日"),
    ("32号", "没有32号"),
    ("1850年1月1日", "1850年"),
])
def test_parse_date_impossible_dates_say_why(text, fragment):
    message = assert_invalid(parse_date, text, MON)
    assert fragment in message and "是哪一天" in message  # a question, never a silent substitute
    if "月" in text:  # inside a longer message 「32号」 may be a house number, but a month is a date
        assert fragment in assert_invalid(find_date, f"走访 王小明 {text} 上门 挺好", MON)


def test_day_missing_from_the_month_it_falls_in_asks_for_the_month():
    message = assert_invalid(parse_date, "31号", date(2026, 12, 2))
    assert "11月没有31号" in message and "10月31日" in message
    assert "2月没有30号" in assert_invalid(parse_date, "30号", date(2026, 3, 5))
    assert "2027年2月没有29日" in assert_invalid(parse_date, "2月29日", date(2027, 3, 1))


@pytest.mark.parametrize("text", [
    "", "   ", "。", "随便", "不知道", "八十多了", "3岁", "13809511234", "血压 140.5", "140.5", "11.3",
    "一周一次", "每周三", "周三次", "住3号楼", "1号线", "第3号", "3号床", "0953-1234567", "今年八十三",
    "一日三餐", "两日", "十一", "上周", "11月", "十一月初三", "3", "28", "😀", "[强]",
])
def test_parse_date_rejects_non_dates(text):
    assert assert_invalid(parse_date, text, MON) == "没看懂日期，请回「今天」「昨天」或「11月3日」这样的写法"


def test_parse_date_with_two_different_dates_asks_for_one():
    message = assert_invalid(parse_date, "周一到周五", MON)
    assert "11月2日" in message and "10月30日" in message


@pytest.mark.parametrize("text, expected, rest", [
    ("王秀兰 昨天 上门 血压高", date(2026, 11, 1), "王秀兰 上门 血压高"),
    ("王秀兰昨天上门", date(2026, 11, 1), "王秀兰 上门"),
    ("昨天，王秀兰家，血压高", date(2026, 11, 1), "王秀兰家，血压高"),
    ("上周三去了李奶奶家", date(2026, 10, 28), "去了李奶奶家"),
    ("11月1日 张大爷 80岁 电话13809511234", date(2026, 11, 1), "张大爷 80岁 电话13809511234"),
    ("张大爷 80岁 住3号楼 28号上门", date(2026, 10, 28), "张大爷 80岁 住3号楼 上门"),
    ("血压 140.5 前天量的", date(2026, 10, 31), "血压 140.5 量的"),
    ("大前天走访", date(2026, 10, 30), "走访"),
    ("２０２６－１０－３０ 走访", date(2026, 10, 30), "走访"),
    ("昨天", date(2026, 11, 1), ""),
])
def test_find_date(text, expected, rest):
    assert find_date(text, MON) == (expected, rest)


@pytest.mark.parametrize("text", [
    "", "王秀兰 上门 血压高", "八十多了", "3岁", "13809511234", "血压 140.5", "每周三去一次", "住32号",
    "一周一次", "身份证640381199001011234", "😀😀", "x" * 10000,
])
def test_find_date_none(text):
    assert find_date(text, MON) is None


def test_find_date_reports_an_unmistakable_impossible_date():
    assert "2月没有30日" in assert_invalid(find_date, "2月30日 上门", MON)


def test_find_date_prefer_future():
    assert find_date("周三 回访", MON, prefer="future") == (date(2026, 11, 4), "回访")


def test_prefer_must_be_past_or_future():
    with pytest.raises(ValueError):
        parse_date("今天", MON, prefer="soon")
    with pytest.raises(ValueError):
        find_date("今天", MON, prefer="later")


def test_weekday_helpers():
    assert weekday_name(MON) == "周一"
    assert weekday_name(date(2026, 11, 8)) == "周日"
    assert format_date(date(2026, 11, 3), MON) == "11月3日（周二）"
    assert format_date(date(2025, 12, 30), MON) == "2025年12月30日（周二）"


# ---------------------------------------------------------------- yes / no


@pytest.mark.parametrize("text", [
    "是", "是的", "对", "对的", "好", "好的", "嗯", "嗯嗯", "行", "可以", "确认", "确定", "没问题", "要",
    "需要", "有", "1", "y", "yes", "ok", "👍", "[强]",
    "Y", "YES", "OK", "Ok", "ｏｋ", "是。", "好的！", "好的!", "嗯~", "好～", "对，", "  是的  ", "是啊",
    "对呀", "好吧", "行吧", "好嘞", "恩", "恩恩", "嗯嗯嗯", "是是是", "对对对", "好的好的", "好的，谢谢",
    "是的，需要",
    "👍🏻", "👌", "[OK]", "好的👍", "好的[玫瑰]", "可以的", "没错", "√", "/:strong", "１",
])
def test_yes(text):
    assert parse_yes_no(text) is True


@pytest.mark.parametrize("text", [
    "不是", "否", "不", "不对", "不要", "不用", "不需要", "没有", "无", "算了", "不行", "2", "n", "no",
    "N", "NO", "No", "不是。", "不是的", "不用了", "不用了，谢谢！", "没有了", "不要了", "不了", "没",
    "不不不", "不是不是", "不可以", "[弱]", "×", "２",
])
def test_no(text):
    assert parse_yes_no(text) is False


@pytest.mark.parametrize("text", [
    "", " ", "。", "是吗", "是？", "嗯？", "是不是", "好不好", "不好", "不知道", "不确定", "可能", "还行",
    "随便",
    "看情况", "是，不需要", "好的，不用", "谢谢", "哈哈", "😀", "3", "yes no", "王秀兰", "是" * 30,
])
def test_yes_no_unclear(text):
    assert assert_invalid(parse_yes_no, text) == "请回「是」或「否」"


# ---------------------------------------------------------------- numbers


@pytest.mark.parametrize("text, value", [
    ("3", 3), ("12", 12), ("１２", 12), ("0", 0), (" 12。", 12), ("十", 10), ("十二", 12), ("二十", 20),
    ("二十三", 23), ("一百零五", 105), ("两千", 2000), ("三万五", 35000), ("两", 2), ("零", 0),
    ("5个", 5), ("5人", 5), ("五个人", 5), ("八十岁", 80), ("一共八户", 8), ("大概5个人", 5), ("约20人", 20),
    ("5个左右", 5), ("1,000", 1000), ("1 2", 12),
])
def test_parse_number(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize("text, fragment", [
    ("十几个", "确切"), ("50多", "确切"), ("二十来个", "确切"), ("几个", "确切"), ("三四个", "确切"),
    ("3.5", "整数"), ("", "没看懂数字"), ("abc", "没看懂数字"), ("-3", "没看懂数字"), ("很多", "确切"),
    ("十十", "没看懂数字"), ("1" * 50, "没看懂数字"), ("😀", "没看懂数字"),
])
def test_parse_number_invalid(text, fragment):
    assert fragment in assert_invalid(parse_number, text)


@pytest.mark.parametrize("text, expected", [
    ("王秀兰 80岁 独居", (80, "王秀兰 独居")),
    ("今天来了5个人", (5, "今天来了")),
    ("今天来了５个人", (5, "今天来了")),
    ("一起去了三个人", (3, "一起去了")),
    ("参加活动的有二十三位老人", (23, "参加活动的有 老人")),
    ("三", (3, "")),
    ("血压 140.5 心率 72", (72, "血压 140.5 心率")),
])
def test_find_number(text, expected):
    assert find_number(text) == expected


@pytest.mark.parametrize("text", ["", "王秀兰", "一起去", "万一", "十分感谢", "血压140.5", "三四个人", "😀"])
def test_find_number_none(text):
    assert find_number(text) is None


# ---------------------------------------------------------------- phones


@pytest.mark.parametrize("text, phone", [
    ("13809511234", "13809511234"),
    ("138 0951 1234", "13809511234"),
    ("138-0951-1234", "13809511234"),
    ("１３８０９５１１２３４", "13809511234"),
    ("１３８ ０９５１ １２３４", "13809511234"),
    ("一三八零九五一一二三四", "13809511234"),
    ("幺三八零九五幺幺二三四", "13809511234"),
    ("+86 138 0951 1234", "13809511234"),
    ("8613809511234", "13809511234"),
    ("电话：13809511234。", "13809511234"),
    ("19912345678", "19912345678"),
    ("0953-1234567", "0953-1234567"),
    ("09531234567", "0953-1234567"),
    ("0953 1234567", "0953-1234567"),
    ("(0953)1234567", "0953-1234567"),
    ("（0953）1234567", "0953-1234567"),
    ("０９５３－１２３４５６７", "0953-1234567"),
    ("0951-50123456", "0951-50123456"),
    ("010-12345678", "010-12345678"),
])
def test_parse_phone(text, phone):
    assert parse_phone(text) == phone


@pytest.mark.parametrize("text, fragment", [
    ("1380951123", "您发的是10位"),
    ("138095112345", "您发的是12位"),
    ("12345678901", "13到19开头"),
    ("3012345", "区号"),
    ("", "没看懂电话号码"),
    ("没有电话", "没看懂电话号码"),
    ("110", "没看懂电话号码"),
    ("640381199001011234", "没看懂电话号码"),
    ("0953-123", "没看懂电话号码"),
    ("😀", "没看懂电话号码"),
])
def test_parse_phone_invalid(text, fragment):
    assert fragment in assert_invalid(parse_phone, text)


@pytest.mark.parametrize("text, expected", [
    ("王秀兰 80 13809511234 独居", ("13809511234", "王秀兰 80 独居")),
    ("王秀兰电话138-0951-1234住3号楼", ("13809511234", "王秀兰电话 住3号楼")),
    ("家里座机 0953-1234567，手机13809511234", ("0953-1234567", "家里座机 手机13809511234")),
    ("联系 +86 138 0951 1234", ("13809511234", "联系")),
    ("电话(0953)1234567吧", ("0953-1234567", "电话 吧")),
    ("电话（0953）1234567，王秀兰", ("0953-1234567", "电话 王秀兰")),
])
def test_find_phone(text, expected):
    assert find_phone(text) == expected


@pytest.mark.parametrize("text", ["", "王秀兰 80岁", "2026-11-03", "身份证640381199001011234", "一起去了"])
def test_find_phone_none(text):
    assert find_phone(text) is None


@pytest.mark.parametrize("phone, masked", [
    ("13809511234", "138****1234"),
    ("138 0951 1234", "138****1234"),
    ("0953-1234567", "0953-*****67"),
    ("09531234567", "0953-*****67"),
    ("010-12345678", "010-******78"),
    ("1380951123", "********23"),
    ("123", "****"),
    ("", "****"),
])
def test_mask_phone(phone, masked):
    assert mask_phone(phone) == masked


# ---------------------------------------------------------------- choices

OPTIONS = ["低保", "特困", "独居老人", "都不是"]
ALIASES = {"孤老": "独居老人", "五保": "特困"}


@pytest.mark.parametrize("text, choice", [
    ("1", "低保"), ("2", "特困"), ("２", "特困"), ("2.", "特困"), ("2。", "特困"), ("2、", "特困"),
    ("(2)", "特困"), ("（2）", "特困"),
    ("②", "特困"), ("二", "特困"), ("两", "特困"), ("第二个", "特困"), ("第2项", "特困"), ("选2", "特困"),
    ("四", "都不是"),
    ("低保", "低保"), ("低保。", "低保"), (" 特困 ", "特困"),
    ("孤老", "独居老人"), ("五保", "特困"),
    ("低报", "低保"), ("独居老仁", "独居老人"), ("dibao", "低保"),
    ("独居", "独居老人"), ("我选特困", "特困"), ("是低保户", "低保"),
])
def test_parse_choice(text, choice):
    assert parse_choice(text, OPTIONS, ALIASES) == choice


def test_parse_choice_label_beats_number():
    assert parse_choice("2", ["1", "2", "3"]) == "2"
    assert parse_choice("3人", ["1人", "2人", "3人"]) == "3人"


def test_parse_choice_is_case_insensitive():
    assert parse_choice("yes", ["Yes", "No"]) == "Yes"


@pytest.mark.parametrize("text", ["5", "第五个", "0", "xyz", "", "随便", "😀", "是" * 200])
def test_parse_choice_invalid_lists_the_options(text):
    message = assert_invalid(parse_choice, text, OPTIONS, ALIASES)
    assert "1. 低保" in message and "4. 都不是" in message


def test_parse_choice_never_mistakes_a_negation_for_the_option():
    assert_invalid(parse_choice, "不是", ["是", "否"])
    assert parse_choice("不是低保，是特困", OPTIONS) == "特困"
    assert_invalid(parse_choice, "不是低保", ["低保", "特困"])


def test_parse_choice_ambiguous_offers_the_candidates():
    with pytest.raises(Ambiguous) as exc:
        parse_choice("老人", ["独居老人", "空巢老人", "都不是"])
    assert exc.value.options == [("独居老人", "独居老人"), ("空巢老人", "空巢老人")]


def test_parse_choice_programming_errors():
    with pytest.raises(ValueError):
        parse_choice("1", [])
    with pytest.raises(ValueError):
        parse_choice("1", ["a"], {"b": "missing"})


# ---------------------------------------------------------------- nothing crashes

WEIRD = [
    "", " ", "\n", "。", "！！！", "😀", "👍" * 50, "\u200b", "\x00", "[强][强]", "/:", "(", "第", "号", "周",
    "x" * 10000, "一" * 10000, "1" * 10000, "1 " * 5000, "ab" * 5000 + "c", "十" * 500, "13809511234 " * 500,
    "3号" * 2000, "😀王秀兰😀 昨天 ☎️ 138０９５１１２３４ 血压１４０.５ 八十多了",
]


@pytest.mark.parametrize("text", WEIRD, ids=range(len(WEIRD)))
def test_no_crash_on_weird_input(text):
    calls = [
        parse_yes_no, parse_number, find_number, parse_phone, find_phone, mask_phone, chinese_to_int,
        normalize,
        lambda s: parse_date(s, MON), lambda s: find_date(s, MON), lambda s: find_date(s, MON, "future"),
        lambda s: parse_choice(s, OPTIONS, ALIASES),
    ]
    for call in calls:
        try:
            call(text)
        except (Invalid, Ambiguous) as exc:
            assert CHINESE.search(str(exc))
