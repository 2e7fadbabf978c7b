"""Tenant writes. ``tenant_provision`` is the only way a tenant is made."""

import logging
import re
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django_tenants.utils import tenant_context

from core.exceptions import ApplicationError
from tenants.exceptions import TenantError, TenantErrorCode
from tenants import schemas
from tenants.enums import ProvisionPath, TenantStatus
from tenants.exceptions import ProvisionError, SubdomainError, SubdomainTakenError
from tenants.models import Domain, Tenant

log = logging.getLogger(__name__)

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")
SLUG_MIN, SLUG_MAX = 3, 30
RESERVED_SUBDOMAINS = frozenset(
    """
    www api admin ops static media mail app apps assets auth billing blog cdn dashboard
    demo dev docs email files ftp help imap login logout m mobile my news pop pop3 portal
    public root sandbox secure shop signup smtp staging status support system test
    webhooks webmail orderline template tenant pool
    """.split()
)


def subdomain_check(slug):
    """Normalise and validate a wanted subdomain; raise SubdomainError with a clear reason."""
    slug = (slug or "").strip().lower()
    if not slug:
        raise SubdomainError(_("Choose a subdomain."), code=TenantErrorCode.REQUIRED)
    if len(slug) < SLUG_MIN:
        raise SubdomainError(
            _("A subdomain needs at least %(n)d characters.") % {"n": SLUG_MIN}, code=TenantErrorCode.TOO_SHORT
        )
    if len(slug) > SLUG_MAX:
        raise SubdomainError(
            _("A subdomain may have at most %(n)d characters.") % {"n": SLUG_MAX}, code=TenantErrorCode.TOO_LONG
        )
    if slug.startswith("-") or slug.endswith("-"):
        raise SubdomainError(
            _("A subdomain cannot start or end with a hyphen."), code=TenantErrorCode.HYPHEN_EDGE
        )
    if not SLUG_RE.match(slug):
        raise SubdomainError(
            _("Use only lowercase letters a–z, digits and hyphens."), code=TenantErrorCode.BAD_CHARACTERS
        )
    if "--" in slug:
        raise SubdomainError(_("A subdomain cannot contain two hyphens in a row."),
                             code=TenantErrorCode.DOUBLE_HYPHEN)
    if slug in RESERVED_SUBDOMAINS:
        raise SubdomainError(_("“%(slug)s” is reserved. Please choose another.") % {"slug": slug},
                             code=TenantErrorCode.RESERVED)
    if (Tenant.objects.filter(slug=slug).exists()
            or Domain.objects.filter(domain=f"{slug}.{settings.BASE_DOMAIN}").exists()):
        raise SubdomainTakenError()
    return slug


def signup_throttle(*, ip):
    """At most SIGNUPS_PER_IP_PER_HOUR new tenants per client address and hour."""
    from django_tenants.utils import schema_context

    if not ip:
        return
    from core.throttle import throttle_hit

    with schema_context("public"):
        allowed = throttle_hit(key=f"signup:{ip}", limit=settings.SIGNUPS_PER_IP_PER_HOUR)
    if not allowed:
        raise TenantError(
            _("Too many sites were created from your network in the last hour. "
              "Please try again later."), code=TenantErrorCode.THROTTLED)


def schema_name_for(slug):
    """A schema name that is never reused: a new tenant on a freed subdomain must not
    inherit files, cache entries or queued tasks keyed by the old schema's name."""
    return f"t_{slug.replace('-', '_')}_{secrets.token_hex(4)}"


@dataclass(frozen=True)
class Provisioned:
    tenant: Tenant
    owner: object
    path: str
    milliseconds: float


def _schema_create(schema_name, path):
    if path in (None, ProvisionPath.POOL) and schemas.pool_take(schema_name):
        return ProvisionPath.POOL
    if path == ProvisionPath.POOL:
        raise ProvisionError(_("The warm pool is empty."))
    if path in (None, ProvisionPath.CLONE) and schemas.template_is_ready():
        schemas.clone_template(schema_name)
        return ProvisionPath.CLONE
    if path == ProvisionPath.CLONE:
        raise ProvisionError(_("The template schema is missing or out of date."))
    schemas.migrate_schema(schema_name)
    return ProvisionPath.MIGRATE


EMAIL_MAX = 254


def _owner_validate(*, email, password, name):
    errors = {}
    try:
        if len(email) > EMAIL_MAX:
            raise ValidationError("too long")
        validate_email(email)
    except ValidationError:
        errors["owner_email"] = [_("Enter a valid e-mail address.")]
    if password is not None:
        try:
            validate_password(password)
        except ValidationError as exc:
            errors["owner_password"] = list(exc.messages)
    if errors:
        raise TenantError(_("Please correct the errors below."), fields=errors)


def signup_validate(*, name, slug, owner_email, owner_password):
    """Check everything a signup needs and report every problem at once (company name,
    subdomain, e-mail, password), not one after the other. Returns the normalised
    ``(name, slug, owner_email)``. With a subdomain problem the error raised is its
    SubdomainError (same code), carrying the other fields' problems too."""
    errors, slug_error = {}, None
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("Enter your company name.")]
    try:
        slug = subdomain_check(slug)
    except SubdomainError as exc:
        slug_error = exc
        errors.update(exc.fields)
    owner_email = (owner_email or "").strip().lower()
    try:
        _owner_validate(email=owner_email, password=owner_password, name="")
    except ApplicationError as exc:
        errors.update(exc.fields)
    if slug_error is not None:  # keeps its code (taken, reserved …), with every field's
        slug_error.fields = errors
        raise slug_error
    if errors:
        raise TenantError(_("Please correct the errors below."), fields=errors)
    return name, slug, owner_email


def owner_has_sites(email):
    """Whether ``email`` already owns a supplier site (one query). Signup tells
    the person signing up, once the rest of the form is valid."""
    email = (email or "").strip().lower()
    return bool(email) and Tenant.objects.filter(owner_email=email).exclude(
        schema_name="public").exists()


def owner_sites_send(*, email, ip=None, language=None):
    """E-mail ``email`` the addresses of the sites it owns, if it owns any. The caller
    answers the same whether or not: nothing here tells who owns what. At most
    SITES_REMINDERS_PER_HOUR per address and per client address (throttled silently
    for the address; the client is told to wait)."""
    from core.mail import email_send
    from core.throttle import throttle_hit

    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise TenantError(_("Enter a valid e-mail address."),
                               fields={"email": [_("Enter a valid e-mail address.")]}) from None
    limit = settings.SITES_REMINDERS_PER_HOUR
    if ip and not throttle_hit(key=f"owner-sites:ip:{ip}", limit=limit * 3):
        raise TenantError(_("Too many requests from your network. Please try again "
                                 "later."), code=TenantErrorCode.THROTTLED)
    if not throttle_hit(key=f"owner-sites:email:{email}", limit=limit):
        return False
    sites = list(Tenant.objects.filter(owner_email=email).exclude(schema_name="public")
                 .order_by("name").values_list("name", "slug", "default_language"))
    if not sites:
        return False
    email_send(to=email, template="email/owner_sites", context={
        "sites": [{"name": site_name, "url": f"https://{slug}.{settings.BASE_DOMAIN}/"}
                  for site_name, slug, _lang in sites]},
        language=language or sites[0][2] or settings.LANGUAGE_CODE)
    return True


def tenant_provision(
    *,
    name,
    slug,
    owner_email,
    owner_password,
    owner_name="",
    plan="trial",
    language="zh-hans",
    currency="CNY",
    path=None,
):
    """Create a ready-to-use tenant: schema, domain, owner (system administrator), trial.

    The schema comes from the warm pool, else a clone of the template, else
    migrations (``path`` forces one, for tests and benchmarks). Everything happens
    in one transaction: a failure leaves nothing behind, and of two signups for
    the same subdomain exactly one wins (the unique index decides).
    """
    from roles.services import tenant_roles_initialise, user_create

    started = time.perf_counter()
    name, slug, owner_email = signup_validate(name=name, slug=slug, owner_email=owner_email,
                                              owner_password=owner_password)
    if connection.schema_name != "public":
        raise ProvisionError("tenant_provision must run in the public schema")

    try:
        with transaction.atomic():
            tenant = Tenant(
                schema_name=schema_name_for(slug),
                name=name,
                slug=slug,
                plan=plan,
                status=TenantStatus.TRIAL,
                trial_ends_at=timezone.now() + timezone.timedelta(days=settings.TRIAL_DAYS),
                default_language=language,
                currency=currency,
                owner_email=owner_email,
            )
            tenant.save()
            used = _schema_create(tenant.schema_name, path)
            tenant.provisioned_by = used
            tenant.save(update_fields=["provisioned_by"])
            Domain.objects.create(domain=tenant.host, tenant=tenant, is_primary=True)
            with tenant_context(tenant):
                tenant_roles_initialise()
                for hook in settings.TENANT_PROVISION_DEFAULTS:
                    import_string(hook)(tenant=tenant, language=language, currency=currency)
                owner = user_create(
                    email=owner_email,
                    password=owner_password,
                    name=owner_name,
                    kind="staff",
                    language=language,
                    administrator=True,
                )
            connection.set_schema_to_public()
    except IntegrityError as exc:
        connection.set_schema_to_public()
        if Tenant.objects.filter(slug=slug).exists():
            raise SubdomainTakenError() from exc
        log.exception("provisioning %s failed", slug)
        raise ProvisionError(_("Your site could not be created. Please try again.")) from exc
    except DatabaseError as exc:
        log.exception("provisioning %s failed", slug)
        raise ProvisionError(_("Your site could not be created. Please try again.")) from exc
    finally:
        connection.set_schema_to_public()

    elapsed = (time.perf_counter() - started) * 1000
    from core.background import enqueue_on_commit
    from tenants.tasks import pool_refill_task

    enqueue_on_commit(pool_refill_task)
    return Provisioned(tenant=tenant, owner=owner, path=used, milliseconds=elapsed)


@transaction.atomic
def tenant_set_status(*, tenant, status):
    """Change a tenant's lifecycle status (the cached resolution is dropped by save())."""
    if status not in TenantStatus.values:
        raise TenantError(_("Unknown status."))
    tenant.status = status
    tenant.save(update_fields=["status", "updated_at"])
    return tenant


def tenant_delete(*, tenant):
    """Drop a tenant: its row, domains (and every public row that cascades from the
    tenant), a warm-pool entry of its schema's name, its queued tasks and its schema in
    one transaction; then its files and every cache entry in its key space."""
    from core.models import OutboxTask
    from tenants.models import PoolSchema

    if tenant.is_public:
        raise TenantError(_("The public schema cannot be deleted."))
    connection.set_schema_to_public()
    schema = tenant.schema_name
    media = Path(settings.MEDIA_ROOT) / schema
    with transaction.atomic():
        with connection.cursor() as cursor:
            # Check deferred foreign keys now: a schema with pending checks cannot be dropped.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        PoolSchema.objects.filter(schema_name=schema).delete()
        OutboxTask.objects.filter(schema_name=schema).delete()
        tenant.delete(force_drop=True)
    shutil.rmtree(media, ignore_errors=True)
    from tenants import cache as tenant_cache

    tenant_cache.forget_schema(schema)


@transaction.atomic
def tenant_register_restored(*, name, slug, schema_name, owner_email="", language="zh-hans",
                             currency="CNY", status=TenantStatus.SUSPENDED):
    """The public rows (tenant, primary domain) of a tenant whose schema was restored
    from an export (``shared.restore``): the schema and its users exist already, so
    nothing is created in it. The subdomain is checked as at signup; the tenant starts
    ``status`` (suspended: an operator reactivates it)."""
    slug = subdomain_check(slug)
    name = (name or "").strip() or slug
    if connection.schema_name != "public":
        raise ProvisionError("tenant_register_restored must run in the public schema")
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    from tenants.enums import Currency

    tenant = Tenant(schema_name=schema_name, name=name[:120], slug=slug, plan="trial",
                    status=status, default_language=language,
                    currency=currency if currency in Currency.values else Currency.CNY,
                    owner_email=owner_email or "", profile_completed=True,
                    trial_ends_at=timezone.now() + timezone.timedelta(days=settings.TRIAL_DAYS))
    tenant.save()
    Domain.objects.create(domain=tenant.host, tenant=tenant, is_primary=True)
    return tenant


@transaction.atomic
def tenant_update_profile(*, tenant, name, default_language, currency, actor=None, ip=None):
    """The company profile a tenant's administrator edits in the dashboard (audited)."""
    name = (name or "").strip()
    if not name:
        raise TenantError(_("Enter your company name."),
                               fields={"name": [_("Enter your company name.")]})
    if default_language not in dict(settings.LANGUAGES):
        raise TenantError(_("Unknown language."), fields={"default_language": [_("Unknown language.")]})
    from tenants.enums import Currency

    if currency not in Currency.values:
        raise TenantError(_("Unknown currency."), fields={"currency": [_("Unknown currency.")]})
    before = {"name": tenant.name, "default_language": tenant.default_language,
              "currency": tenant.currency}
    tenant.name = name
    tenant.default_language = default_language
    tenant.currency = currency
    tenant.profile_completed = True
    tenant.save(update_fields=["name", "default_language", "currency", "profile_completed",
                               "updated_at"])
    if connection.schema_name == tenant.schema_name:  # the audit log lives in the tenant
        from roles.services.audit import audit_record

        audit_record(actor=actor, action="company.update", obj=tenant, before=before,
                     after={"name": name, "default_language": default_language,
                            "currency": currency}, ip=ip)
    return tenant
