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
