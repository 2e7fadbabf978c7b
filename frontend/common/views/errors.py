from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def _api_error(request, code, message, status):
    """Under /api/ the answer is the API's one error shape, never an HTML page (a URL
    that matches no route, e.g. ``/api/v1/orders/abc/``, never reaches DRF)."""
    if request.path.startswith("/api/"):
        return JsonResponse({"error": {"code": code, "message": str(message), "fields": {}}},
                            status=status)
    return None


def _surface_template(request, code):
    tenant = getattr(request, "tenant", None)
    if tenant is None or tenant.is_public:
        return f"public/{code}.html"
    return f"errors/{code}.html"


def bad_request(request, exception):
    """A request Django refuses before any view (a malformed body or header)."""
    api = _api_error(request, "bad_request", _("The request could not be read."), 400)
    if api is not None:
        return api
    from django.views.defaults import bad_request as default

    return default(request, exception)


def page_not_found(request, exception):
    api = _api_error(request, "not_found", _("Not found."), 404)
    if api is not None:
        return api
    return render(request, _surface_template(request, 404), status=404)


def permission_denied(request, exception):
    api = _api_error(request, "permission_denied",
                     _("You do not have permission to perform this action."), 403)
    if api is not None:
        return api
    return render(request, _surface_template(request, 403), status=403)


def server_error(request):
    return render(request, "errors/500.html", status=500)
