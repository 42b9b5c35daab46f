"""What every dashboard page shares: the local date, the month asked for, notices after a form, form errors."""

from __future__ import annotations

import re
from datetime import date, datetime

from flask import abort, current_app, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from data.clock import utcnow

# Notices after a form, by code: the address carries the code, never the text.
NOTICES = {
    "handled": "已标记为已处置。", "closed": "已关闭。", "followed": "已记录跟进。", "already": "已经有人处理过了。",
    "saved": "已保存。", "submitted": "已登记提交。", "retried": "已重新排队发送。",
}
_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


def now() -> datetime:
    return utcnow()


def today() -> date:
    return utcnow().astimezone(current_app.config["LAOXIAO"].tz).date()


def month_arg(name: str = "month") -> str:
    """The month in the address (YYYY-MM), this month when absent; a malformed one answers 400."""
    value = request.args.get(name) or today().strftime("%Y-%m")
    if not _MONTH.fullmatch(value):
        abort(400)
    return value


def int_arg(name: str) -> int | None:
    value = request.values.get(name, "").strip()
    if not value:
        return None
    if not value.isdigit() or len(value) > 12:
        abort(400)
    return int(value)


def done(endpoint: str, notice: str, **values) -> Response:
    """After a successful form: back to the page, with a notice (Post/Redirect/Get)."""
    return redirect(url_for(endpoint, notice=notice, **values))


def form_error(template: str, error: str, **context) -> tuple[str, int]:
    """The page again with the form as typed and what to change; nothing was written."""
    return render_template(template, error=error, form=request.form, **context), 400


def notice() -> str:
    return NOTICES.get(request.args.get("notice", ""), "")
