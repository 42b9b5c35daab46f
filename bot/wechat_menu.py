"""The Official Account's custom menu: three buttons at the bottom of the chat, each a CLICK event whose key
the features declare (Feature.click) as the words a person would type."""

from __future__ import annotations

from collections.abc import Mapping

MENU: dict = {
    "button": [
        {"type": "click", "name": "我要求助", "key": "MENU_ASK"},
        {"type": "click", "name": "我的求助", "key": "MENU_REQUESTS"},
        {"name": "更多", "sub_button": [
            {"type": "click", "name": "能做什么", "key": "MENU_HELP"},
            {"type": "click", "name": "找社工", "key": "MENU_HANDOFF"},
        ]},
    ]
}


def click_keys(menu: dict = MENU) -> list[str]:
    keys = []
    for button in menu["button"]:
        for item in button.get("sub_button", [button]):
            if item.get("type") == "click":
                keys.append(item["key"])
    return keys


def check(known: Mapping[str, str], menu: dict = MENU) -> None:
    """WeChat's limits (3 buttons, 5 sub-buttons, short names) and keys the dispatcher knows (`known`)."""
    buttons = menu["button"]
    if not 1 <= len(buttons) <= 3:
        raise ValueError("a menu has 1 to 3 buttons")
    for button in buttons:
        if len(button["name"].encode()) > 16 or len(button.get("sub_button", [])) > 5:
            raise ValueError(f"button {button['name']!r} is too long or has too many sub-buttons")
    unknown = [key for key in click_keys(menu) if key not in known]
    if unknown:
        raise ValueError(f"menu keys the router does not know: {unknown}")
