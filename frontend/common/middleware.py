from django.conf import settings
from django.utils import translation


class UserLanguageMiddleware:
    """Language: the user's choice, else the language cookie, else the tenant's default.

    Runs after LocaleMiddleware (cookie / Accept-Language) and AuthenticationMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = None
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if session is not None and session.get("support_language"):
            language = session["support_language"]  # an operator's support session
        elif user is not None and user.is_authenticated and user.preferred_language:
            language = user.preferred_language
        elif settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            tenant = getattr(request, "tenant", None)
            if tenant is not None and not tenant.is_public:
                language = tenant.default_language
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


class PasswordChangeRequiredMiddleware:
    """An account opened with an initial password must choose its own before anything else
    (an operator gives the second factor first: shared.middleware)."""

    ALLOWED = ("/password/change/", "/logout/", "/static/", "/i18n/", "/ops/2fa/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated and user.must_change_password
                and not request.path_info.startswith(self.ALLOWED)):
            from django.shortcuts import redirect

            return redirect("password-change")
        return self.get_response(request)


class RejectNulBytesMiddleware:
    """PostgreSQL cannot store NUL characters: refuse them up front with a 400."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.http import HttpResponseBadRequest
        from django.utils.translation import gettext as _

        refused = _("The request contains a NUL character, which is not allowed.")

        def bad_request():
            if request.path.startswith("/api/"):  # the API's one error shape
                from django.http import JsonResponse

                return JsonResponse({"error": {"code": "invalid", "message": str(refused),
                                               "fields": {}}}, status=400)
            return HttpResponseBadRequest(refused)

        for values in (request.GET, request.POST if request.method == "POST" else {}):
            for key, items in getattr(values, "lists", lambda: [])():
                if "\x00" in key or any("\x00" in item for item in items):
                    return bad_request()
        if "\x00" in request.path:
            return bad_request()
        return self.get_response(request)


class StripControlCharactersMiddleware:
    """Form posts lose their control characters (a bell, an escape …) before any form
    sees them, so no page stores one (one of them in an address made every Excel export
    fail). Tabs and line breaks stay: a textarea may hold them, and a browser sends no
    line break from a one-line input. The API refuses them instead (core.api)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from core.text import has_control, strip_control

        if request.method == "POST" and not request.path.startswith("/api/"):
            post = request.POST
            if any(has_control(key) or any(has_control(v) for v in values)
                   for key, values in post.lists()):
                cleaned = post.copy()
                for key, values in post.lists():
                    cleaned.setlist(strip_control(key), [strip_control(v) for v in values])
                    if has_control(key):
                        cleaned.pop(key)
                cleaned._mutable = False
                request.POST = cleaned
        return self.get_response(request)
