"""The /wechat callback as WeChat's servers see it: signatures, safe mode, every message type, bad input."""

from __future__ import annotations

import time
from urllib.parse import urlencode

import pytest

from tests.wechat_peer import (
    AES_KEY,
    APPID,
    OFFICIAL,
    TOKEN,
    WeChatPeer,
    aes_encrypt,
    build_xml,
    parse_reply_xml,
    sha1_sign,
)


def _verify_params(token=TOKEN, timestamp=None, echostr="echo-123"):
    ts = str(timestamp or int(time.time()))
    return {"signature": sha1_sign(token, ts, "abc"), "timestamp": ts, "nonce": "abc", "echostr": echostr}


def test_url_verification_echoes_echostr(client):
    response = client.get("/wechat?" + urlencode(_verify_params()))
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "echo-123"


@pytest.mark.parametrize("params", [
    _verify_params(token="wrongtoken"),
    {"timestamp": "1", "nonce": "x", "echostr": "e"},
    {},
])
def test_url_verification_refuses_bad_signature(client, params):
    assert client.get("/wechat?" + urlencode(params)).status_code == 403


def test_url_verification_refuses_old_timestamp(client):
    response = client.get("/wechat?" + urlencode(_verify_params(timestamp=int(time.time()) - 3600)))
    assert response.status_code == 403


def test_text_message_gets_text_reply_to_the_sender(wechat):
    reply = wechat.say("user-a", "帮助")
    assert reply.status == 200
    assert reply.fields["ToUserName"] == "user-a"
    assert reply.fields["FromUserName"] == OFFICIAL
    assert reply.fields["MsgType"] == "text"
    assert "您可以发" in reply.text


MESSAGE_TYPES = [
    ("image", {"PicUrl": "http://mmbiz.example/pic.jpg", "MediaId": "m-1"}, "图片"),
    ("voice", {"MediaId": "m-2", "Format": "amr"}, "文字"),
    ("video", {"MediaId": "m-3", "ThumbMediaId": "t-3"}, "视频"),
    ("shortvideo", {"MediaId": "m-4", "ThumbMediaId": "t-4"}, "视频"),
    ("location", {"Location_X": "37.98", "Location_Y": "106.03", "Scale": 15, "Label": "青铜峡市"}, "位置"),
    ("link", {"Title": "标题", "Description": "描述", "Url": "http://example.com/a"}, "链接"),
    ("file", {"Title": "表.xlsx", "Description": "d", "FileKey": "k", "FileMd5": "md5", "FileTotalLen": 10}, "文件"),
    ("miniprogrampage", {"Title": "小程序"}, "文字"),
]


@pytest.mark.parametrize(("msg_type", "extra", "hint"), MESSAGE_TYPES)
def test_every_message_type_gets_a_polite_reply(wechat, msg_type, extra, hint):
    reply = wechat.message("user-b", msg_type, **extra)
    assert reply.status == 200
    assert hint in reply.text


def test_voice_with_recognition_is_handled_as_text(wechat):
    reply = wechat.voice("user-c", "帮助。")
    assert "您可以发" in reply.text


def test_voice_without_recognition_asks_for_text(wechat):
    reply = wechat.voice("user-c", None)
    assert "打字" in reply.text


@pytest.mark.parametrize(("event", "extra"), [
    ("VIEW", {"EventKey": "http://example.com"}),
    ("LOCATION", {"Latitude": "37.9", "Longitude": "106.0", "Precision": "65"}),
    ("SCAN", {"EventKey": "123", "Ticket": "t"}),
    ("TEMPLATESENDJOBFINISH", {"MsgID": 123, "Status": "success"}),
    ("CLICK", {"EventKey": "NO_SUCH_KEY"}),
    ("some_future_event", {}),
])
def test_events_needing_no_answer_get_success(wechat, event, extra):
    reply = wechat.event("user-d", event, **extra)
    assert reply.status == 200
    assert reply.body == "success"


def test_subscribe_greets_with_what_one_can_do(wechat):
    reply = wechat.event("user-e", "subscribe")
    assert "欢迎关注" in reply.text and "您可以发" in reply.text


def test_subscribe_by_qr_scene_greets_too(wechat):
    reply = wechat.event("user-e2", "subscribe", EventKey="qrscene_123", Ticket="t")
    assert "欢迎关注" in reply.text


def test_menu_click_runs_the_command(wechat):
    reply = wechat.event("user-f", "CLICK", EventKey="MENU_HELP")
    assert "您可以发" in reply.text


def test_unsubscribe_marks_person_unreachable_and_message_makes_them_reachable(wechat, db):
    wechat.say("user-g", "你好")
    assert wechat.event("user-g", "unsubscribe").body == "success"
    assert db["people"].rows_where("openid = ?", ["user-g"]).__next__()["reachable"] == 0
    wechat.event("user-g", "subscribe")
    assert next(db["people"].rows_where("openid = ?", ["user-g"]))["reachable"] == 1


def test_safe_mode_round_trip(wechat_safe):
    reply = wechat_safe.say("user-h", "帮助")
    assert reply.status == 200
    assert "<Encrypt>" in reply.body and "您可以发" not in reply.body  # encrypted on the wire
    assert "您可以发" in reply.text  # and readable once decrypted with the shared key


def test_bad_signature_is_403(wechat):
    xml = build_xml({"ToUserName": OFFICIAL, "FromUserName": "x", "CreateTime": int(time.time()),
                     "MsgType": "text", "Content": "hi", "MsgId": 1})
    assert wechat.post_xml(xml, bad_signature=True).status == 403


def test_replayed_timestamp_is_refused(wechat):
    xml = build_xml({"ToUserName": OFFICIAL, "FromUserName": "x", "CreateTime": int(time.time()),
                     "MsgType": "text", "Content": "hi", "MsgId": 2})
    assert wechat.post_xml(xml, timestamp=int(time.time()) - 301).status == 403
    assert wechat.post_xml(xml, timestamp=int(time.time()) + 600).status == 403


def _post_raw(client, body: bytes, params: dict | None = None):
    query = params or WeChatPeer(client).query()
    return client.post("/wechat?" + urlencode(query), data=body, content_type="text/xml")


@pytest.mark.parametrize("body", [
    b"",
    b"not xml at all",
    b"<xml><FromUserName>x</FromUserName>",
    b"<xml><ToUserName>a</ToUserName></xml>",  # no MsgType
    b"<root><MsgType>text</MsgType></root>",
    b"<xml><MsgType>text</MsgType><FromUserName>x</FromUserName><CreateTime>abc</CreateTime></xml>",
    b"\xff\xfe<xml>",
])
def test_malformed_bodies_are_400(client, body):
    assert _post_raw(client, body).status_code == 400


def test_doctype_and_entities_are_refused(client):
    bomb = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
            b"<xml><ToUserName>a</ToUserName><FromUserName>b</FromUserName><CreateTime>1</CreateTime>"
            b"<MsgType>text</MsgType><Content>&lol2;</Content><MsgId>9</MsgId></xml>")
    assert _post_raw(client, bomb).status_code == 400
    xxe = (b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><Content>&e;</Content></xml>')
    assert _post_raw(client, xxe).status_code == 400


@pytest.mark.parametrize("safe", [False, True])
def test_doctype_typed_inside_a_message_is_just_text(client, safe):
    """Someone pasting HTML or XML into a chat must get an answer, not a 400 that makes WeChat drop the message."""
    peer = WeChatPeer(client, safe=safe)
    for text in ("<!DOCTYPE html> 这是我网页上看到的", "<!ENTITY x> 求助"):
        reply = peer.say(f"doctype-{safe}", text)
        assert reply.status == 200 and reply.text, text


def test_oversize_body_is_413(client):
    body = b"<xml><Content>" + b"a" * 70_000 + b"</Content></xml>"
    assert _post_raw(client, body).status_code == 413


def _safe_post(client, inner_xml: str, key: str = AES_KEY, appid: str = APPID, encrypt: str | None = None):
    encrypt = encrypt if encrypt is not None else aes_encrypt(inner_xml, key, appid)
    peer = WeChatPeer(client)
    params = peer.query(encrypt=encrypt)
    body = build_xml({"ToUserName": OFFICIAL, "Encrypt": encrypt}).encode()
    return client.post("/wechat?" + urlencode(params), data=body, content_type="text/xml")


INNER = build_xml({"ToUserName": OFFICIAL, "FromUserName": "safe-user", "CreateTime": 1700000000,
                   "MsgType": "text", "Content": "帮助", "MsgId": 42})


@pytest.mark.parametrize(("case", "kwargs"), [
    ("wrong key", {"key": "ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210abcdefg"}),
    ("wrong appid", {"appid": "wx0000000000000000"}),
    ("not base64", {"encrypt": "%%%not-base64%%%"}),
    ("bad padding", {"encrypt": "QUFBQUFBQUFBQUFBQUFBQQ=="}),
    ("empty", {"encrypt": ""}),
])
def test_decryption_failures_are_4xx(client, case, kwargs):
    response = _safe_post(client, INNER, **kwargs)
    assert 400 <= response.status_code < 500, case


def test_safe_mode_bad_msg_signature_is_403(client):
    encrypt = aes_encrypt(INNER)
    params = WeChatPeer(client).query(encrypt=encrypt)
    params["msg_signature"] = "0" * 40
    body = build_xml({"ToUserName": OFFICIAL, "Encrypt": encrypt}).encode()
    assert client.post("/wechat?" + urlencode(params), data=body).status_code == 403


def test_safe_mode_refused_when_no_key_is_configured(env, tmp_path):
    from bot.app import create_app
    from bot.config import load_settings

    plain_env = {**env, "WECHAT_AES_KEY": "", "LAOXIAO_DB": str(tmp_path / "plain.db")}
    client = create_app(load_settings(env=plain_env, dotenv=False)).test_client()
    assert _safe_post(client, INNER).status_code == 400


def test_cdata_terminator_in_user_text_keeps_reply_well_formed(wechat, wechat_safe):
    # The reply echoes nothing the user typed today, so check the renderer directly too.
    from bot.wechat_xml import text_reply

    xml = text_reply("u", OFFICIAL, "a]]>b<c>&d\x01e")
    assert parse_reply_xml(xml)["Content"] == "a]]>b<c>&de"
    for peer in (wechat, wechat_safe):
        assert peer.say("user-i", "]]><xml>").status == 200


def test_long_reply_is_paged_with_more(settings, db):
    from tests.conftest import command_feature, peer_with

    lines = [f"第{i}行：王秀兰 血压有点高，降压药快吃完了，需要有人帮忙去卫生院开药" for i in range(80)]
    wechat = peer_with(settings, command_feature("长文测试", lambda ctx, rest: "\n".join(lines)))
    if True:
        first = wechat.say("user-j", "长文测试").text
        assert len(first.encode()) <= 2048
        assert first.endswith("回复「更多」看下一页")
        seen = first
        for _ in range(10):
            page = wechat.say("user-j", "更多").text
            assert len(page.encode()) <= 2048
            seen += page
            if not page.endswith("看下一页"):
                break
        assert all(line in seen for line in lines)
        assert wechat.say("user-j", "更多").text == "没有更多内容了。"


def test_a_non_ascii_signature_is_refused_not_a_server_error(client):
    """Found by the fuzz test (tests/stress): hmac.compare_digest raised TypeError on non-ASCII text."""
    assert client.post("/wechat?signature=%C2%80&timestamp=0&nonce=0", data=b"").status_code == 403
    assert client.get("/wechat?signature=%E4%BD%A0&timestamp=0&nonce=0&echostr=x").status_code == 403
