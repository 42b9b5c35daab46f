"""The Flask application factory."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Flask

from bot import log_masking
from bot.config import Settings, load_settings
from bot.wechat_xml import MAX_BODY_BYTES
from data import health, open_db
from data.clock import utcnow
from handlers import build_dispatcher


def create_app(settings: Settings | None = None, env: Mapping[str, str] | None = None,
               simulator: bool = False, extra_features: tuple = ()) -> Flask:
    """`simulator=True` (the demo) adds the chat simulator, which lets anyone speak as anyone: never in production.
    `extra_features` are composed after the built-in ones (tests declare flows of their own this way)."""
    settings = settings or load_settings(env)
    app = Flask(__name__)
    app.config["LAOXIAO"] = settings
    app.config["DISPATCHER"] = build_dispatcher(settings.phrases_path, extra=extra_features)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    log_masking.install(settings.log_level)
    open_db(settings.db_path).close()  # migrations run once, at start

    from bot import admin, storage, wechat
    from bot import simulator as simulator_pages

    app.register_blueprint(wechat.bp)
    app.register_blueprint(admin.blueprint())
    if simulator:
        app.register_blueprint(simulator_pages.bp)
    storage.init_app(app)

    @app.get("/healthz")
    def healthz() -> tuple[dict, int]:
        """For monitoring: 200 when every check passes, 503 (with the failing checks) when one does not."""
        try:
            found = health.checks(storage.get_db(), utcnow())
        except Exception as exc:  # noqa: BLE001 (the database itself is what failed)
            found = {"database": {"ok": False, "error": type(exc).__name__}}
        ok = all(check["ok"] for check in found.values())
        return {"ok": ok, "checks": found}, 200 if ok else 503

    return app
