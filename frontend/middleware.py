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
        if user is not None and user.is_authenticated and user.preferred_language:
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
    """An account opened with an initial password must choose its own before anything else."""

    ALLOWED = ("/password/change/", "/logout/", "/static/", "/i18n/")

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
        for values in (request.GET, request.POST if request.method == "POST" else {}):
            for key, items in getattr(values, "lists", lambda: [])():
                if "\x00" in key or any("\x00" in item for item in items):
                    return HttpResponseBadRequest(refused)
        if "\x00" in request.path:
            return HttpResponseBadRequest(refused)
        return self.get_response(request)
