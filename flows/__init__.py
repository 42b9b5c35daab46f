"""The conversations: declarative flows of steps. Pure Python, no Flask or wechatpy."""
