"""Operators' two-factor sign-in, with django-otp: an authenticator app (TOTP) enrolled
by QR code, and ten single-use backup codes.

An operator without a confirmed authenticator can reach nothing but enrolment; one with
it types a code after the password (``OperatorRequiredMixin`` asks ``is_verified()``).
Wrong codes slow the next tries down (django-otp's throttling), and every enrolment,
reset and backup-code renewal is written to the platform audit log."""

import base64
import binascii

import segno
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.exceptions import ApplicationError, PermissionDeniedError
from shared.services import platform_audit

BACKUP_CODES = 10
AUTHENTICATOR = "authenticator"
BACKUP = "backup"


def _message(text):
    return ApplicationError(text, fields={"token": [text]})


def authenticator_for(user):
    """The operator's confirmed authenticator, or None."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def is_enrolled(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def backup_codes_left(user):
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def enrolment_device(user):
    """The authenticator being enrolled (one unconfirmed device, kept across page loads
    so the QR code does not change under the operator's phone)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR, confirmed=False)
    return device


def secret_of(device):
    """The device's key in base32 (what an authenticator app takes when typed in)."""
    return base64.b32encode(binascii.unhexlify(device.key)).decode().rstrip("=")


def qr_svg(device):
    """The enrolment QR code as inline SVG (no image request, no third party)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#101828")


def _clean(token):
    token = "".join(str(token or "").split()).replace("-", "")
    if not token:
        raise _message(_("Enter the code."))
    return token[:16]


@transaction.atomic
def enrolment_confirm(*, request, user, device, token, ip=None):
    """Confirm the authenticator with a code from it; make the backup codes, mark this
    session as verified. Returns the backup codes (shown once)."""
    token = _clean(token)
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
    if device.confirmed:
        raise _message(_("This authenticator is already set up."))
    if not device.verify_token(token):
        raise _message(_("That code is not right. Check the time on your phone and try "
                         "the newest code."))
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_backup_codes(user)
    _verified(request, device)
    platform_audit(operator=user, action="operator.2fa_enrol", ip=ip)
    return codes


def _verified(request, device):
    """Mark the session verified by ``device`` under a new session key (the key of the
    password-only session does not become the verified one)."""
    request.session.cycle_key()
    otp_login(request, device)


def _new_backup_codes(user):
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name=BACKUP, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=static, token=code) for code in codes)
    return codes


@transaction.atomic
def backup_codes_renew(*, request, user, ip=None):
    """New backup codes for a verified operator (the old ones stop working)."""
    if not getattr(user, "is_verified", lambda: False)():
        raise PermissionDeniedError(_("Sign in with your second factor first."))
    codes = _new_backup_codes(user)
    platform_audit(operator=user, action="operator.backup_codes", ip=ip)
    return codes


def verify(*, request, user, token, ip=None):
    """Check a code from the authenticator, or a backup code (used up); on success mark
    the session as verified and return the device."""
    token = _clean(token)
    # six digits come from the authenticator; a backup code is eight letters and digits
    kind = TOTPDevice if token.isdigit() and len(token) == 6 else StaticDevice
    for device in kind.objects.filter(user=user, confirmed=True):
        allowed, _details = device.verify_is_allowed()
        if not allowed:
            raise _message(_("Too many wrong codes. Wait a minute, then try again."))
        with transaction.atomic():
            locked = type(device).objects.select_for_update().get(pk=device.pk)
            if locked.verify_token(token):
                _verified(request, locked)
                if isinstance(locked, StaticDevice):
                    platform_audit(operator=user, action="operator.backup_code_used", ip=ip,
                                   after={"left": backup_codes_left(user)})
                return locked
    raise _message(_("That code is not right."))
