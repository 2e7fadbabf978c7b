"""Dealer self-registration: apply on the tenant's site, staff approve or reject.

Applying creates the customer with status *pending approval* (so staff can set its
level, region and sales rep before approving) and the application with the business
licence image. Approving activates the customer and opens its primary login (a
welcome e-mail carries the link to choose a password); rejecting records the reason
and tells the applicant.
"""

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ordering.customers.exceptions import CustomerConflictError, CustomerError, CustomerErrorCode
from core.mail import email_send
from core.throttle import throttle_hit
from ordering.customers.enums import ApplicationStatus, CustomerStatus
from ordering.customers.models import CustomerApplication
from ordering.customers.services.customers import (customer_create, customer_status_change,
                                                    customer_update)
from ordering.customers.services.guards import require_customer, require_perm
from ordering.customers.services.logins import login_create
from ordering.settings.selectors import tenant_settings
from ordering.settings.services import settings_update
from roles.services.audit import audit_record

LICENCE_MAX_BYTES = 5 * 1024 * 1024
LICENCE_MAX_PIXELS = 40_000_000
LICENCE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
APPLICATIONS_PER_IP_PER_HOUR = 10


def _error(field, message):
    return CustomerError(message, fields={field: [message]})


def licence_validate(upload, *, field="licence"):
    """The upload must be a JPEG, PNG or WebP image of at most 5 MB; returns its
    extension. The content decides, never the file name or the browser's type. (Also
    checks the photos of a return, under ``field``.)"""
    from PIL import Image, UnidentifiedImageError

    if upload is None:
        raise _error(field, _("Upload a photo or scan of your business licence."))
    if upload.size > LICENCE_MAX_BYTES:
        raise _error(field, _("The image is larger than 5 MB."))
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            kind = image.format
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError) as exc:
        raise _error(field, _("Upload a JPEG, PNG or WebP image.")) from exc
    finally:
        upload.seek(0)
    if kind not in LICENCE_FORMATS:
        raise _error(field, _("Upload a JPEG, PNG or WebP image."))
    if width * height > LICENCE_MAX_PIXELS:
        raise _error(field, _("The image is too large."))
    return LICENCE_FORMATS[kind]


def registration_settings_update(*, actor, self_registration, ip=None):
    """How dealers get an account: ``self_registration`` opens the public application
    form at /apply/ (staff still approve every application). Audited when it changes."""
    require_perm(actor, "manage_settings")
    self_registration = bool(self_registration)
    current = tenant_settings()
    if current.self_registration == self_registration:
        return current
    row, _before = settings_update(actor=actor, action="company.customer_settings",
                                   audit_obj=connection.tenant, ip=ip,
                                   self_registration=self_registration)
    return row


@transaction.atomic
def application_submit(*, tenant, company, contact_name, email, phone, region=None, licence,
                       message="", language="", ip=None):
    """A dealer applies for an account (only where the tenant allows self-registration)."""
    if not tenant_settings().self_registration:
        raise CustomerError(_("This supplier does not accept online applications."),
                               code=CustomerErrorCode.REGISTRATION_CLOSED, )
    if ip and not throttle_hit(key=f"apply:{tenant.schema_name}:{ip}",
                               limit=APPLICATIONS_PER_IP_PER_HOUR):
        raise CustomerError(_("Too many applications from your network. Please try again "
                                 "later."), code=CustomerErrorCode.THROTTLED)
    company, contact_name = (company or "").strip(), (contact_name or "").strip()
    email, phone = (email or "").strip().lower(), (phone or "").strip()
    errors = {}
    if not company:
        errors["company"] = [_("Enter your company's name.")]
    if not contact_name:
        errors["contact_name"] = [_("Enter your name.")]
    if not email:
        errors["email"] = [_("Enter your e-mail address.")]
    if not phone:
        errors["phone"] = [_("Enter your mobile phone number.")]
    if errors:
        raise CustomerError(next(iter(errors.values()))[0], fields=errors)
    User = get_user_model()
    if (User.objects.filter(email__iexact=email).exists()
            or CustomerApplication.objects.filter(email__iexact=email,
                                                  status=ApplicationStatus.PENDING).exists()):
        raise _error("email", _("This e-mail address already has an account or an application "
                                "waiting for review."))
    if (User.objects.filter(phone=phone).exists()
            or CustomerApplication.objects.filter(phone=phone,
                                                  status=ApplicationStatus.PENDING).exists()):
        raise _error("phone", _("This phone number already has an account or an application "
                                "waiting for review."))
    extension = licence_validate(licence)
    licence.name = f"licence.{extension}"
    customer = customer_create(actor=None, name=company, phone=phone, email=email,
                               region=region, status=CustomerStatus.PENDING,
                               contact={"name": contact_name, "phone": phone, "email": email})
    application = CustomerApplication.objects.create(
        customer=customer, contact_name=contact_name[:80], email=email, phone=phone[:32],
        licence=licence, message=(message or "").strip()[:2000], language=language or "",
        ip_address=ip)
    audit_record(actor=None, action="customer.apply", obj=customer,
                 after={"company": company, "email": email, "phone": phone,
                        "region": getattr(region, "pk", None)}, ip=ip)
    _notify_staff(application)
    return application


def _notify_staff(application):
    """Tell the staff who can approve it (manage_customers, reaching the customer)."""
    from roles.enums import UserKind
    from roles.permissions import can_reach, has_perm

    staff = get_user_model().objects.filter(
        kind=UserKind.STAFF, is_active=True,
        groups__permissions__codename="manage_customers").distinct()
    for member in staff[:50]:
        if has_perm(member, "manage_customers") and can_reach(member, application.customer):
            email_send(to=member.email, template="email/application_received",
                       context={"company": application.customer.name,
                                "contact": application.contact_name,
                                "name": member.get_short_name()},
                       language=member.preferred_language or "zh-hans")


def _lock(application):
    application = (CustomerApplication.objects.select_for_update()
                   .select_related("customer").get(pk=application.pk))
    if application.status != ApplicationStatus.PENDING:
        raise CustomerConflictError(_("This application has already been reviewed."),
                            code=CustomerErrorCode.ALREADY_REVIEWED)
    return application


def _decide(application, status, actor, *, reason=""):
    """The one place an application's status is written: approved or rejected, by whom
    and when (the caller locked it while pending)."""
    application.status = status
    application.reject_reason = reason[:2000]
    application.reviewed_by = actor if getattr(actor, "pk", None) else None
    application.reviewed_at = timezone.now()
    application.save(update_fields=["status", "reject_reason", "reviewed_by", "reviewed_at"])
    return application


@transaction.atomic
def application_approve(*, actor, application, site_url, level=None, sales_rep=None,
                        region=None, ip=None):
    """Activate the customer and open its primary login; the welcome e-mail carries the
    link to choose a password. ``level``/``sales_rep``/``region`` adjust the customer."""
    require_customer(actor, "manage_customers", application.customer)
    application = _lock(application)
    customer = application.customer
    changes = {k: v for k, v in (("level", level), ("sales_rep", sales_rep),
                                 ("region", region)) if v is not None}
    if changes:
        customer = customer_update(actor=actor, customer=customer, ip=ip, **changes)
    customer_status_change(customer, CustomerStatus.ACTIVE)
    login_create(actor=actor, customer=customer, email=application.email,
                 name=application.contact_name, phone=application.phone, is_primary=True,
                 language=application.language, site_url=site_url, ip=ip,
                 template="email/dealer_welcome")
    _decide(application, ApplicationStatus.APPROVED, actor)
    audit_record(actor=actor, action="customer.application_approve", obj=customer,
                 after={"status": customer.status}, ip=ip)
    return application


@transaction.atomic
def application_reject(*, actor, application, reason, ip=None):
    """Reject with a reason the applicant reads in the e-mail."""
    require_customer(actor, "manage_customers", application.customer)
    reason = (reason or "").strip()
    if not reason:
        raise _error("reason", _("Tell the applicant why the application is rejected."))
    application = _lock(application)
    customer = application.customer
    customer_status_change(customer, CustomerStatus.REJECTED)
    _decide(application, ApplicationStatus.REJECTED, actor, reason=reason)
    email_send(to=application.email, template="email/application_rejected",
               context={"company": customer.name, "name": application.contact_name,
                        "reason": application.reject_reason},
               language=application.language or "zh-hans")
    audit_record(actor=actor, action="customer.application_reject", obj=customer,
                 after={"reason": application.reject_reason}, ip=ip)
    return application
