"""The WSGI entry for production servers: `gunicorn -w 4 bot.wsgi:app` (no scheduler in web workers)."""

from bot.app import create_app

app = create_app()
