from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q


class EmailBackend(ModelBackend):
    """Sign in with an e-mail address (any case) or a mobile phone number."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        username = (username or kwargs.get("email") or "").strip()
        if not username or password is None:
            return None
        User = get_user_model()
        query = Q(email__iexact=username)
        if "@" not in username:
            query |= Q(phone=username)
        user = User.objects.filter(query).first()
        if user is None:
            User().set_password(password)  # same work as a real check: no timing oracle
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


def client_ip(request):
    """The client's address: REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT proxies the
    X-Forwarded-For entry that the outermost trusted proxy saw (not a forgeable one)."""
    from django.conf import settings

    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        chain = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
                 if part.strip()]
        if len(chain) >= proxies:
            return chain[-proxies]
    return request.META.get("REMOTE_ADDR") or None


def login_identifier(request, credentials):
    """What django-axes counts failures against: one account, however it is typed.

    E-mail in any case and the account's phone number all map to the same key,
    so changing letter case or switching to the phone does not reset the count.
    """
    raw = ((credentials or {}).get("username") or "").strip()
    if not raw:
        return raw
    User = get_user_model()
    query = Q(email__iexact=raw)
    if "@" not in raw:
        query |= Q(phone=raw)
    email = User.objects.filter(query).values_list("email", flat=True).first()
    return (email or raw).lower()
