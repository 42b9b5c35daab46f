"""What the dispatcher says in its own words: welcome, menu, drafts, media it cannot read."""

from __future__ import annotations

from data import people, sites
from flows.context import Ctx

WELCOME = "欢迎关注「老小」！这里是青铜峡市“五社联动，幸福老小”项目的服务号。"
NOT_UNDERSTOOD = "抱歉，没太明白您的意思。"
STALE = "刚才的对话已过期（系统更新过），请重新开始。"
EXPIRED = "您上次没填完的「{label}」超过30分钟没有回复，已作废。"
EXPIRED_DRAFT = "您上次没填完的「{label}」超过30分钟没有回复，先存成了草稿，回「继续」可以接着填。"
DRAFT_KEPT = "（上一条「{label}」还没保存，已存为草稿，回「继续」接着填。）"
CANCELLED_DRAFT = "（30分钟内回「继续」还能接着填。）"
FAILED_DRAFT = "您填到一半的「{label}」已先存为草稿，回「继续」可以接着填。"
DRAFT_REMINDER = "上一条「{label}」还没保存，回「继续」接着填。"
NO_DRAFT = "现在没有没填完的内容。需要什么直接说就行，发「菜单」看能做什么。"
NOTHING_TO_CANCEL = "好的。现在没有正在办的事，不用取消。需要帮忙时直接说就行。"
AFTER_SAVE = "如需更改，请联系社工。"
MEDIA = {
    "image": "收到图片了。如需帮助，请用文字或语音说一下情况。",
    "voice": "这条语音没能转成文字，请再说一遍，或者直接打字发给我。",
    "video": "收到视频了。如需帮助，请用文字或语音说一下情况。",
    "shortvideo": "收到视频了。如需帮助，请用文字或语音说一下情况。",
    "location": "收到您的位置了。如需上门帮助，请再用文字说一下是什么事。",
    "link": "收到链接了。如需帮助，请用文字说一下情况。",
    "file": "收到文件了。如需帮助，请用文字说一下情况。",
    "unknown": "这类消息暂时看不了，请发文字或语音。",
}


def menu_text(ctx: Ctx, lines: list[str]) -> str:
    person = ctx.person
    site = sites.get_site(ctx.db, person.get("site_id"))
    head = "您好" + (f"，{person['name']}" if person.get("name") else "") + "！"
    if ctx.role != "family":
        head += f"您是{site['name'] if site else ''}{people.ROLES[ctx.role]}。"
    body = "\n".join(f"{i}. {line}" for i, line in enumerate(lines, 1))
    return f"{head}您可以发（回编号也行）：\n{body}\n任何一步都可以回「取消」「返回」「帮助」。"
