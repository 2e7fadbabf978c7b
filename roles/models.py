from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac
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

    def get_queryset(self):
        return UserQuerySet(self.model, using=self._db)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


def _tenant_only(model):
    """Does ``model`` live in tenant schemas only (no table in the public schema)?"""
    from django.apps import apps

    shared = {apps.get_app_config(name.rsplit(".", 1)[-1]).name
              if "." not in name else name for name in settings.SHARED_APPS}
    return model._meta.app_config.name not in shared


class _PublicSchemaCollector(models.deletion.Collector):
    """Deleting an operator in the public schema: tenant-only tables that point at the
    user model (customers, orders …) have no rows, and no table, there."""

    def related_objects(self, related_model, related_fields, objs):
        if _tenant_only(related_model):
            return related_model._base_manager.using(self.using).none()
        return super().related_objects(related_model, related_fields, objs)


def _collector_for(using, origin):
    from django.db import connection
    from django_tenants.utils import get_public_schema_name

    if connection.schema_name == get_public_schema_name():
        return _PublicSchemaCollector(using=using, origin=origin)
    return models.deletion.Collector(using=using, origin=origin)


class UserQuerySet(models.QuerySet):
    def delete(self):
        from django.db import connection
        from django_tenants.utils import get_public_schema_name

        if connection.schema_name != get_public_schema_name():
            return super().delete()
        collector = _collector_for(self.db, self)
        collector.collect(self._chain())
        return collector.delete()

    delete.alters_data = True
    delete.queryset_only = True


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
    # Moved when an account is disabled: every session signed before becomes invalid,
    # also after the account is enabled again.
    security_stamp = models.PositiveIntegerField(default=0, editable=False)
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

    def _get_session_auth_hash(self, secret=None):
        return salted_hmac(
            "orderline.roles.User.session",
            f"{self.password}:{self.security_stamp}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    def get_full_name(self):
        return self.name or self.email

    def delete(self, using=None, keep_parents=False):
        from django.db import router

        using = using or router.db_for_write(self.__class__, instance=self)
        collector = _collector_for(using, self)
        collector.collect([self], keep_parents=keep_parents)
        return collector.delete()

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


class AppendOnlyQuerySet(models.QuerySet):
    """Rows can be added and read, never changed or removed (also not in bulk)."""

    # Deleting an account detaches it from its rows (SET_NULL); the label keeps who it was.
    DETACHABLE = frozenset({"actor", "user"})

    def update(self, **kwargs):
        if kwargs and set(kwargs) <= self.DETACHABLE and all(v is None for v in kwargs.values()):
            return super().update(**kwargs)
        raise ValueError(f"{self.model.__name__} is append-only.")

    def delete(self):
        raise ValueError(f"{self.model.__name__} is append-only.")

    def _raw_delete(self, using):
        raise ValueError(f"{self.model.__name__} is append-only.")


class LoginLog(models.Model):
    """Every sign-in attempt on this schema (append-only)."""

    objects = AppendOnlyQuerySet.as_manager()

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

    def delete(self, *args, **kwargs):
        raise ValueError("The login log is append-only.")


class Role(models.Model):
    """A role is a Django group plus this record: built-in flag, names, description.

    Built-in roles carry their key (see ``roles.catalog.BUILTIN_ROLES``) and are
    named from the catalog in the user's language; custom roles carry their names.
    """

    group = models.OneToOneField("auth.Group", on_delete=models.CASCADE, related_name="role")
    key = models.SlugField(max_length=40, unique=True, null=True, blank=True)
    builtin = models.BooleanField(default=False)
    name_en = models.CharField(_("name (English)"), max_length=80, blank=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=80, blank=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["-builtin", "id"]
        default_permissions = ()

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        from django.utils.translation import get_language

        from roles.catalog import BUILTIN_BY_KEY

        if self.builtin and self.key in BUILTIN_BY_KEY:
            return str(BUILTIN_BY_KEY[self.key].name)
        if (get_language() or "").startswith("zh"):
            return self.name_zh or self.name_en
        return self.name_en or self.name_zh

    @property
    def display_description(self):
        from roles.catalog import BUILTIN_BY_KEY

        if self.builtin and self.key in BUILTIN_BY_KEY:
            return str(BUILTIN_BY_KEY[self.key].description)
        return self.description


class Region(models.Model):
    """Sales regions, a tree (province › city). ``path`` holds the ancestors' ids."""

    name = models.CharField(_("name"), max_length=80)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children")
    path = models.CharField(max_length=255, editable=False, db_index=True, default="/")
    code = models.CharField(_("code"), max_length=20, blank=True)

    # data scoping (roles.permissions.scope): a region is reachable through itself
    scope_region_path = "pk"

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["path", "name"]
        default_permissions = ()
        permissions = [("work_in_region", "Work with the customers of this region")]
        constraints = [models.UniqueConstraint(fields=["parent", "name"], nulls_distinct=False,
                                               name="region_unique_name_per_parent")]

    def __str__(self):
        return self.name


class AuditLog(models.Model):
    """Every state-changing action in this tenant (append-only)."""

    objects = AppendOnlyQuerySet.as_manager()

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    actor_label = models.CharField(_("by"), max_length=254, blank=True)
    action = models.CharField(_("action"), max_length=60, db_index=True)
    object_type = models.CharField(_("object type"), max_length=60, blank=True)
    object_id = models.CharField(_("object id"), max_length=60, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-created_at", "-id"]
        default_permissions = ()

    def __str__(self):
        return f"{self.actor_label} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk:
            raise ValueError("The audit log is append-only.")
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("The audit log is append-only.")


class ApiKey(models.Model):
    """An integration key bound to a staff user; only its hash is stored."""

    name = models.CharField(_("name"), max_length=80)
    prefix = models.CharField(max_length=12, unique=True)
    key_hash = models.CharField(max_length=64)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="api_keys")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created_at"]
        default_permissions = ()

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self):
        return self.revoked_at is None
