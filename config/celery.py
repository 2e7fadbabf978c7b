"""The Celery app. Every task runs in the schema it was sent from."""

import os

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = CeleryApp("orderline")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

from core.acting import connect_celery  # noqa: E402

connect_celery()
