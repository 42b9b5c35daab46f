"""Storage only: the SQLite database, its migrations, queries and bundled reference data.

Knows nothing of WeChat, Flask or conversations.
"""

from data.db import connect, migrate, open_db, transaction

__all__ = ["connect", "migrate", "open_db", "transaction"]
