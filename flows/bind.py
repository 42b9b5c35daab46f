"""绑定: a person sends a one-time code and takes the role it was issued for."""

from __future__ import annotations

import re

from data import audit, invites, people, sites
from flows.context import Ctx
from flows.engine import Flow, Step
from flows.errors import Abort, Invalid

_CODE = re.compile(r"(?<![A-Za-z0-9])([A-Za-z0-9]{6,12})(?![A-Za-z0-9])")
_REFUSALS = {
    "unknown": "绑定码不对，请核对后再发（字母不分大小写）。",
    "used": "这个绑定码已经用过了。如需重新开通，请联系社工或管理员重新生成。",
    "expired": "这个绑定码已过期（有效期7天）。请联系社工或管理员重新生成。",
}
_TOO_MANY = "绑定码错误次数太多，请一小时后再试，或联系社工核对绑定码。"
_BUSY = "绑定暂时停用，请过几分钟再发。如一直不行，请联系社工。"


def _check_code(text: str, ctx: Ctx, values: dict) -> int:
    if invites.recent_failures(ctx.db, ctx.openid, "bind", ctx.now) >= invites.MAX_FAILURES_PER_HOUR:
        raise Abort(_TOO_MANY)
    if invites.recent_failures_everyone(ctx.db, "bind", ctx.now) >= invites.GLOBAL_FAILURES_PER_MINUTE:
        raise Abort(_BUSY)
    match = _CODE.search(text)
    if not match:
        raise Invalid("请发送8位绑定码，例如「绑定 K7M2Q9XP」。")
    invite = invites.find_invite(ctx.db, match.group(1))
    if invite and invite["used_by"] == ctx.person["id"]:
        # The same code sent twice: nothing to do, and nothing to wait for.
        raise Abort(f"您已经用这个绑定码绑定好了，{_who(ctx)}。发「菜单」看看能做什么。")
    state = invites.invite_state(invite, ctx.now)
    if state != "valid":
        invites.record_failure(ctx.db, ctx.openid, "bind", ctx.now)
        if invites.recent_failures_everyone(ctx.db, "bind", ctx.now) == invites.GLOBAL_FAILURES_PER_MINUTE:
            invites.alert_admins_of_guessing(ctx.db, ctx.now)
        if invites.recent_failures(ctx.db, ctx.openid, "bind", ctx.now) >= invites.MAX_FAILURES_PER_HOUR:
            raise Abort(_TOO_MANY)
        raise Invalid(_REFUSALS[state])
    return invite["id"]


def _extract_code(text: str, ctx: Ctx, values: dict) -> tuple[int, str] | None:
    if not _CODE.search(text):
        return None
    return _check_code(text, ctx, values), ""


def _who(ctx: Ctx) -> str:
    site = sites.get_site(ctx.db, ctx.person.get("site_id"))
    return f"现在是{site['name'] if site else ''}的{people.ROLES[ctx.role]}"


def _claims(rest: str, ctx: Ctx) -> bool:
    return bool(_CODE.search(rest))


def _save(ctx: Ctx, values: dict) -> str:
    invite = next(iter(ctx.db.query("SELECT * FROM invites WHERE id = ?", [values["code"]])))
    if not invites.mark_used(ctx.db, invite["id"], ctx.person["id"], ctx.now):
        raise Invalid(_REFUSALS["used"])
    people.assign_role(ctx.db, ctx.person["id"], invite["role"], invite["site_id"], invite["name"], ctx.now)
    audit.record(ctx.db, ctx.now, ctx.openid, "bind", f"person:{ctx.person['id']}",
                 {"role": invite["role"], "site_id": invite["site_id"], "invite": invite["id"]})
    ctx.reload_person()
    site = sites.get_site(ctx.db, invite["site_id"])
    name = f"，{invite['name']}" if invite["name"] else ""
    where = site["name"] if site else ""
    return f"绑定成功{name}！您现在是{where}的{people.ROLES[invite['role']]}。发「帮助」看看能做什么。"


BIND = Flow(
    name="bind",
    title="绑定",
    triggers=("绑定", "注册", "bind"),
    steps=(
        Step("code", "绑定码", ask="请发送社工给您的8位绑定码。", parse=_check_code, extract=_extract_code),
    ),
    save=_save,
    confirm=False,
    describe="绑定 绑定码：工作人员开通身份（居民不用绑定）",
    claims=_claims,
    draftable=False,
)
