"""English formats: Django's (listed so that FORMAT_MODULE_PATH finds every language)."""

from django.conf.locale.en.formats import *  # noqa: F401,F403
