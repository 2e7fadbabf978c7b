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
