from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from roles.enums import UserKind


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra):
        email = self.normalize_email(email).lower()
        user = self.model(email=email, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("kind", UserKind.OPERATOR)
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """One user model for every kind of account.

    Operators live in the public schema; staff and dealers in their tenant's
    schema, so the same e-mail in two tenants is two unrelated accounts.
    """

    email = models.EmailField(_("e-mail"))
    phone = models.CharField(_("mobile phone"), max_length=32, blank=True)
    name = models.CharField(_("name"), max_length=120, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=UserKind.choices,
                            default=UserKind.STAFF)
    preferred_language = models.CharField(_("language"), max_length=10,
                                          choices=settings.LANGUAGES, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("Django admin access"), default=False)
    must_change_password = models.BooleanField(_("must change password"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ci"),
            models.UniqueConstraint(fields=["phone"], condition=~Q(phone=""),
                                    name="user_phone_unique"),
        ]

    def __str__(self):
        return self.name or self.email

    def get_full_name(self):
        return self.name or self.email

    def get_short_name(self):
        return self.name or self.email.split("@")[0]

    @property
    def is_dealer(self):
        return self.kind == UserKind.DEALER

    @property
    def is_supplier_staff(self):
        return self.kind == UserKind.STAFF

    @property
    def is_operator(self):
        return self.kind == UserKind.OPERATOR


class LoginLog(models.Model):
    """Every sign-in attempt on this schema (append-only)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="login_logs")
    identifier = models.CharField(_("e-mail or phone"), max_length=254)
    success = models.BooleanField(_("success"))
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=400, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("login record")
        verbose_name_plural = _("login log")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.identifier} {'ok' if self.success else 'failed'} {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk:
            raise ValueError("The login log is append-only.")
        return super().save(*args, **kwargs)
