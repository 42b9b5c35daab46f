"""Importing a feature module registers its flows, commands and handlers.

Listed by name so that the order is explicit: earlier modules' fallbacks are tried first.
"""

import importlib

FEATURE_MODULES = (
    "flows.bind",
    "handlers.router",
    "flows.visit",
    "handlers.visits",
    "flows.request",
    "handlers.requests",
)


def load() -> None:
    for name in FEATURE_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise


load()
