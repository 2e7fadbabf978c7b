from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SharedConfig(AppConfig):
    name = "shared"
    verbose_name = _("Public site")

    def ready(self):
        from shared import exceptions  # noqa: F401  (registers the error codes at start)
