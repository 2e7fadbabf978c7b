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
