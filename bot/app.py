"""The Flask application factory."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Flask

from bot import log_masking
from bot.config import Settings, load_settings
from bot.wechat_xml import MAX_BODY_BYTES
from data import open_db
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
    app.teardown_appcontext(storage.close_db)

    @app.get("/healthz")
    def healthz() -> dict:
        return {"ok": True}

    return app
