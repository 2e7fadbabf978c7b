"""API plumbing shared by every app: one error shape, checked query parameters, text
input without control characters."""

import functools

from django.core.exceptions import PermissionDenied, ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.exceptions import ApplicationError
from core.text import NoControlCharacters


def _error(code, message, http_status, fields=None):
    return Response(
        {"error": {"code": code, "message": str(message), "fields": fields or {}}},
        status=http_status,
    )


def exception_handler(exc, context):
    """Map every error to ``{"error": {"code", "message", "fields"}}``."""
    if isinstance(exc, ApplicationError):
        response = _error(exc.code, exc.message, exc.status, exc.fields)
        upgrade_url = getattr(exc, "upgrade_url", "")
        if upgrade_url:  # a plan limit: where an administrator upgrades, and the figures
            request = context.get("request")
            response.data["error"].update(
                upgrade_url=request.build_absolute_uri(upgrade_url) if request else upgrade_url,
                limit=exc.limit, allowed=exc.allowed, used=exc.used)
        return response
    if isinstance(exc, DjangoValidationError):
        fields = getattr(exc, "message_dict", None) or {}
        return _error("invalid", _("The data you sent is not valid."), 400, fields)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        return _error("invalid", _("The data you sent is not valid."), status.HTTP_400_BAD_REQUEST,
                      detail)
    code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
    if not isinstance(code, str):
        code = "error"
    message = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
    response.data = {"error": {"code": code, "message": str(message), "fields": {}}}
    return response


# --- query parameters: declared once, documented and checked -----------------------------


def _query_errors(request, parameters):
    errors = {}
    for parameter in parameters:
        if parameter.location != "query" or parameter.name not in request.query_params:
            continue
        value = request.query_params.get(parameter.name)
        if value == "":  # an empty filter means "any", as on the pages
            continue
        if parameter.enum and value not in [str(choice) for choice in parameter.enum]:
            errors[parameter.name] = [
                _("“%(value)s” is not one of the accepted values: %(choices)s.")
                % {"value": value[:40], "choices": ", ".join(map(str, parameter.enum))}]
        elif parameter.type is int:
            try:
                number = int(value)
            except ValueError:
                number = None
            if number is None or not -(2 ** 63) < number < 2 ** 63:
                errors[parameter.name] = [_("Give a whole number.")]
    return errors


def query_parameters(parameters):
    """Declare a view method's query parameters (the OpenAPI schema) and refuse a request
    whose values do not fit them: a value outside an ``enum`` or a non-number for an
    ``int`` parameter is a 400 in the one error shape (unknown filter values used to be
    ignored silently, which returned unfiltered lists)."""
    parameters = list(parameters)

    def decorate(method):
        @functools.wraps(method)
        def checked(view, request, *args, **kwargs):
            errors = _query_errors(request, parameters)
            if errors:
                raise exceptions.ValidationError(errors)
            return method(view, request, *args, **kwargs)

        return extend_schema(parameters=parameters)(checked)

    return decorate


# --- text input: no control characters ------------------------------------------------------

# A text field longer than this is taken as multi-line (notes, descriptions, messages):
# tabs and line breaks are allowed there, control characters nowhere.
SINGLE_LINE_MAX = 255


class CleanTextSerializer(serializers.Serializer):
    """Base of the API's serializers: every text field (nested and list items included)
    refuses control characters, and a single-line one (``max_length`` up to
    ``SINGLE_LINE_MAX`` and not listed in ``Meta.multiline``) tabs and line breaks too.
    The error is a 400 in the one error shape, on the field."""

    def get_fields(self):
        fields = super().get_fields()
        multiline = set(getattr(getattr(self, "Meta", None), "multiline", ()))
        for name, field in fields.items():
            _guard_text(field, multiline=name in multiline)
        return fields


def _guard_text(field, *, multiline):
    if isinstance(field, serializers.ListField):
        _guard_text(field.child, multiline=multiline)
        return
    if not isinstance(field, serializers.CharField) or field.read_only:
        return
    long_text = field.max_length is None or field.max_length > SINGLE_LINE_MAX
    validator = NoControlCharacters(multiline=multiline or long_text)
    if validator not in field.validators:
        field.validators.append(validator)
