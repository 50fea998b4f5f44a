"""Entry point for gunicorn (`wsgi:app`) and `flask --app wsgi`."""

from webapp import create_app

app = create_app()
