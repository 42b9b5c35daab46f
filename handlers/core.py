"""What every person can do whatever else is installed: bind to a staff role, and the menu button."""

from __future__ import annotations

from flows.bind import BIND
from handlers.feature import Feature

feature = Feature("core")
feature.flow(BIND)
feature.click("MENU_HELP", "菜单")
