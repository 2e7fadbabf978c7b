"""Every date field of every HTML form renders an ISO date for ``<input type="date">``,
in every language (Simplified Chinese's first input format is ``2026/12/06``, which
the browser cannot show)."""

import datetime
import importlib
import inspect
import pkgutil

import pytest
from django import forms
from django.conf import settings
from django.utils import translation

import frontend
from frontend.common.forms.widgets import DateInput


def _form_modules():
    """Every module of every surface's ``forms`` package (frontend/<surface>/forms/)."""
    for info in pkgutil.walk_packages(frontend.__path__, "frontend."):
        if ".forms." in info.name and not info.ispkg:
            yield importlib.import_module(info.name)


def _form_classes():
    for module in _form_modules():
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                yield cls


def test_every_date_field_uses_the_iso_date_widget():
    date_fields = [(cls.__name__, name, field) for cls in _form_classes()
                   for name, field in cls.base_fields.items()
                   if isinstance(field, forms.DateField)]
    assert date_fields  # the ship form, checkout, order filters, 代下单 ...
    wrong = [(cls, name) for cls, name, field in date_fields
             if not isinstance(field.widget, DateInput)]
    assert wrong == []


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_date_widget_renders_iso_in_every_language(language):
    with translation.override(language):
        html = DateInput().render("shipped_on", datetime.date(2026, 12, 6))
        assert 'type="date"' in html
        assert 'value="2026-12-06"' in html
        field = forms.DateField(widget=DateInput())
        assert field.clean("2026-12-06") == datetime.date(2026, 12, 6)


def test_ship_form_shows_today_in_iso_in_chinese():
    from frontend.dashboard.forms.orders import ShipForm

    with translation.override("zh-hans"):
        form = ShipForm(order=None, lines=[], carriers=[])
        html = str(form["shipped_on"])
    from django.utils import timezone
    assert f'value="{timezone.localdate().isoformat()}"' in html
