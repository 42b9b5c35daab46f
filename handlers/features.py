"""Importing a feature module registers its flows, commands and handlers."""

import flows.bind  # noqa: F401
import handlers.router  # noqa: F401
