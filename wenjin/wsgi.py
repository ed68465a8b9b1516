"""WSGI entry point (gunicorn wenjin.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wenjin.settings")
application = get_wsgi_application()
