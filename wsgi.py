"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`."""

from roadmap import create_app

app = create_app()
