"""The shell: Flask app, WeChat callback, outbox sender, scheduler, CLI and web pages."""
