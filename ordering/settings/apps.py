from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenantSettingsConfig(AppConfig):
    name = "ordering.settings"
    label = "tenant_settings"  # not "settings": that reads as Django's own
    verbose_name = _("Business settings")
