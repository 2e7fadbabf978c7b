"""API plumbing shared by every app: one error shape."""

from django.core.exceptions import PermissionDenied, ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.exceptions import ApplicationError


def _error(code, message, http_status, fields=None):
    return Response(
        {"error": {"code": code, "message": str(message), "fields": fields or {}}},
        status=http_status,
    )


def exception_handler(exc, context):
    """Map every error to ``{"error": {"code", "message", "fields"}}``."""
    if isinstance(exc, ApplicationError):
        return _error(exc.code, exc.message, exc.status, exc.fields)
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
