"""Routing of one message. `build_dispatcher()` composes the features, as an app factory composes blueprints."""

from __future__ import annotations

from pathlib import Path

from handlers.dispatcher import Dispatcher


def build_dispatcher(phrases_path: str | Path | None = None, extra: tuple = ()) -> Dispatcher:
    """Every feature, in the order their fallbacks are tried: a visit note is recognised before a request,
    and a team leader's 「好」 or 「搞定了」 about a card before anything else is read into it.
    `extra` features (tests, plug-ins) come last."""
    from handlers import core, records, request_team, requests, roster, visits
    from handlers.classifier import Classifier
    from handlers.intent import fuzzy_command

    return Dispatcher([core.feature, visits.feature, roster.feature, records.feature, request_team.feature,
                       requests.feature, *extra],
                      classify=Classifier(phrases_path), fuzzy=fuzzy_command)
