"""Fuzzing /wechat with hypothesis: whatever arrives, the answer is 200, 400, 403 or 413, never a 5xx, and a
well-signed message is answered in well-formed XML."""

from __future__ import annotations

import time
from urllib.parse import urlencode

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.stress.conftest import scaled
from tests.wechat_peer import OFFICIAL, WeChatPeer, build_xml, parse_reply_xml

EXAMPLES = scaled(150, 3000)
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=300)
# What WeChat can carry in XML: no control characters but tab and line breaks, no U+FFFE/U+FFFF.
XML_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff")
                   | st.sampled_from("\t\n"), max_size=300)
FIELD = st.sampled_from(["ToUserName", "FromUserName", "CreateTime", "MsgType", "Content", "MsgId", "Event",
                         "EventKey", "Recognition", "MediaId", "PicUrl", "Encrypt", "Location_X", "Label"])


@FUZZ
@given(body=st.binary(max_size=2000), query=st.dictionaries(st.sampled_from(
    ["signature", "timestamp", "nonce", "encrypt_type", "msg_signature", "openid"]), TEXT, max_size=6))
def test_random_bytes_and_queries_are_refused_cleanly(app, body, query):
    response = app.test_client().post("/wechat?" + urlencode(query), data=body, content_type="text/xml")
    assert response.status_code in (200, 400, 403, 413)


@FUZZ
@given(fields=st.dictionaries(FIELD, st.one_of(TEXT, st.integers(-2**70, 2**70)), max_size=10),
       safe=st.booleans())
def test_signed_messages_with_any_fields_never_fail(app, fields, safe):
    peer = WeChatPeer(app.test_client(), safe=safe)
    reply = peer.post_xml(build_xml(fields))
    assert reply.status in (200, 400), reply.body[:200]
    if reply.status == 200 and reply.body.startswith("<xml>"):
        assert isinstance(reply.fields, dict)


@FUZZ
@given(text=XML_TEXT, msg_type=st.sampled_from(["text", "voice", "image", "event", "location", "link", "video"]),
       event=st.sampled_from(["subscribe", "unsubscribe", "CLICK", "VIEW", "SCAN", "", "x" * 50]))
def test_any_text_from_anyone_gets_a_reply_or_success(app, text, msg_type, event):
    fields = {"ToUserName": OFFICIAL, "FromUserName": "fuzz-user", "CreateTime": int(time.time()),
              "MsgType": msg_type, "Content": text, "Recognition": text, "Event": event, "EventKey": text[:20]}
    response = app.test_client().post("/wechat?" + urlencode(WeChatPeer(None).query()),
                                      data=build_xml(fields).encode(), content_type="text/xml")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert body == "success" or parse_reply_xml(body)["Content"]
