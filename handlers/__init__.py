"""Routing of one incoming message: active flow, command keyword, menu click, event, intent matching."""
