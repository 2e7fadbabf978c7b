from django.shortcuts import render


def _surface_template(request, code):
    tenant = getattr(request, "tenant", None)
    if tenant is None or tenant.is_public:
        return f"public/{code}.html"
    return f"errors/{code}.html"


def page_not_found(request, exception):
    return render(request, _surface_template(request, 404), status=404)


def permission_denied(request, exception):
    return render(request, _surface_template(request, 403), status=403)


def server_error(request):
    return render(request, "errors/500.html", status=500)
