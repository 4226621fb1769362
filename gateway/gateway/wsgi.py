"""WSGI entry for production servers: ``gunicorn 'gateway.wsgi:app'``."""
from gateway.app import create_app

app = create_app()
