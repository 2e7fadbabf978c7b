"""Dealer self-registration end to end: the tenant setting, the public /apply/ page,
staff review (list, detail, licence, approve, reject), scoping and isolation."""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django_tenants.utils import tenant_context
from PIL import Image

from core.exceptions import ApplicationError, PermissionDeniedError
from ordering.customers.enums import ApplicationStatus, CustomerStatus
from ordering.customers.models import Contact, Customer, CustomerApplication, CustomerLogin
from ordering.customers.services import applications as application_services
from ordering.customers.services.customers import customer_create, customer_update, level_create
from ordering.customers.services.logins import login_create
from ordering.settings.models import TenantSettings
from ordering.settings.services import settings_update
from roles.models import AuditLog
from roles.services.regions import region_create
from tests.conftest import TenantClient, host_of
from tests.factories.roles import staff_with_roles

User = get_user_model()
APPLY = "/apply/"
APPLICATIONS = "/dashboard/customers/applications/"
SETTINGS = "/dashboard/customers/settings/"


def _forget_media_root():
    default_storage.location  # noqa: B018 (sets the lazy storage up)
    vars(default_storage._wrapped).pop("relative_media_root", None)  # a cached_property


@pytest.fixture(autouse=True)
def media_root(tmp_path):
    """Uploaded licences go to a temporary folder, not the shared test media folder."""
    with override_settings(MEDIA_ROOT=str(tmp_path)):
        _forget_media_root()
        yield tmp_path
    _forget_media_root()


def _image(fmt="PNG", size=(40, 30)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(buffer, fmt)
    return buffer.getvalue()


def _licence(name="licence.png", content=None, content_type="image/png"):
    return SimpleUploadedFile(name, _image() if content is None else content,
                              content_type=content_type)


def _form(**overrides):
    data = {"company": "Sunrise Trading", "contact_name": "Li Wei", "phone": "13800000001",
            "email": "li.wei@sunrise.example", "message": "We run 3 shops in Guangzhou.",
            "licence": _licence()}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _open(tenant, on=True):
    with tenant_context(tenant):
        settings_update(actor=None, self_registration=on)


def _registration_open(tenant):
    with tenant_context(tenant):
        return TenantSettings.objects.get().self_registration


def _owner(tenant):
    return User.objects.get(email=f"owner@{tenant.slug}.example")


def _submit(tenant, n=1, region=None):
    """An application made through the service, as the public page does."""
    return application_services.application_submit(
        tenant=tenant, company=f"Dealer {n}", contact_name=f"Contact {n}",
        email=f"dealer{n}@shops.example", phone=f"1390000{n:04d}", region=region,
        licence=_licence(), message="", language="en")


def _dealer():
    customer = customer_create(actor=None, name="Existing Dealer")
    return login_create(actor=None, customer=customer, email="buyer@existing.example").user


def _password_path(body):
    return re.search(r"https?://[^/\s]+(/password/reset/\S+/)", body).group(1)


# --- the setting -----------------------------------------------------------------


def test_business_lead_opens_and_closes_applications_audited(acme, acme_client, login_as):
    with tenant_context(acme):
        lead = staff_with_roles("business_lead")
    login_as(acme_client, acme, lead)
    page = acme_client.get(SETTINGS)
    assert page.status_code == 200
    assert f"http://{host_of(acme)}/apply/" in page.content.decode()
    assert b'data-testid="copy-apply-url"' in page.content

    response = acme_client.post(SETTINGS, {"self_registration": "on"})
    assert response.status_code == 302 and response.url == SETTINGS
    assert _registration_open(acme) is True
    with tenant_context(acme):
        entry = AuditLog.objects.get(action="company.customer_settings")
        assert entry.actor == lead
        assert entry.before == {"self_registration": False}
        assert entry.after == {"self_registration": True}
    assert b"Online applications are open" in acme_client.get(SETTINGS).content
    assert b'data-testid="apply-link"' in TenantClient(host_of(acme)).get("/login/").content

    acme_client.post(SETTINGS, {})
    assert _registration_open(acme) is False
    with tenant_context(acme):
        assert AuditLog.objects.filter(action="company.customer_settings").count() == 2
    assert b'data-testid="apply-link"' not in TenantClient(host_of(acme)).get("/login/").content


def test_order_reviewer_cannot_change_the_setting(acme, acme_client, login_as):
    with tenant_context(acme):
        reviewer = staff_with_roles("order_reviewer")
        with pytest.raises(PermissionDeniedError):
            application_services.registration_settings_update(actor=reviewer,
                                                              self_registration=True)
    login_as(acme_client, acme, reviewer)
    assert acme_client.get(SETTINGS).status_code == 403
    assert acme_client.post(SETTINGS, {"self_registration": "on"}).status_code == 403
    assert _registration_open(acme) is False
    with tenant_context(acme):
        assert not AuditLog.objects.filter(action="company.customer_settings").exists()


# --- the public page -------------------------------------------------------------


def test_apply_when_closed_is_a_friendly_404_and_creates_nothing(acme, acme_client):
    page = acme_client.get(APPLY)
    assert page.status_code == 404
    assert b'data-testid="apply-closed"' in page.content
    assert b"does not take applications" in page.content
    assert acme_client.post(APPLY, _form()).status_code == 404
    with tenant_context(acme):
        assert not CustomerApplication.objects.exists()
        assert not Customer.objects.filter(name="Sunrise Trading").exists()


def test_apply_happy_path(acme, acme_client, django_capture_on_commit_callbacks, media_root):
    _open(acme)
    with tenant_context(acme):
        province = region_create(actor=None, name="Guangdong")
        city = region_create(actor=None, name="Guangzhou", parent=province)
    page = acme_client.get(APPLY)
    html = page.content.decode()
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in html and 'accept="image/*"' in html
    assert "csrfmiddlewaretoken" in html
    assert "Guangdong › Guangzhou" in html

    with django_capture_on_commit_callbacks(execute=True):
        response = acme_client.post(APPLY, _form(region=str(city.pk), email="Li.Wei@Sunrise.example"))
    assert response.status_code == 302 and response.url == "/apply/done/"
    done = acme_client.get(response.url)
    assert done.status_code == 200 and b"li.wei@sunrise.example" in done.content

    with tenant_context(acme):
        application = CustomerApplication.objects.select_related("customer").get()
        customer = application.customer
        assert customer.status == CustomerStatus.PENDING and customer.name == "Sunrise Trading"
        assert customer.region == city
        assert application.status == ApplicationStatus.PENDING
        assert application.email == "li.wei@sunrise.example"
        assert application.ip_address == "127.0.0.1"
        assert application.message == "We run 3 shops in Guangzhou."
        assert re.fullmatch(r"private/licences/[0-9a-f]{32}\.png", application.licence.name)
        assert (media_root / acme.schema_name / application.licence.name).is_file()
        contact = Contact.objects.get(customer=customer)
        assert contact.is_primary and contact.name == "Li Wei" and contact.phone == "13800000001"
        assert AuditLog.objects.filter(action="customer.apply",
                                       object_id=str(customer.pk)).exists()
        assert not CustomerLogin.objects.filter(customer=customer).exists()
    staff_mail = [m for m in mail.outbox if m.to == ["owner@acme.example"]]
    assert len(staff_mail) == 1 and "Sunrise Trading" in staff_mail[0].subject


@pytest.mark.parametrize("licence, message", [
    (SimpleUploadedFile("licence.jpg", b"this is only text, not a picture\n" * 20,
                        content_type="image/jpeg"), "Upload a JPEG, PNG or WebP image."),
    ("oversize", "The image is larger than 5 MB."),
    (None, "Upload a photo or scan of your business licence."),
    (SimpleUploadedFile("scan.gif", b"", content_type="image/gif"), "The file is empty."),
])
def test_a_bad_licence_is_refused_with_nothing_created(acme, acme_client, licence, message):
    _open(acme)
    if licence == "oversize":  # a real image followed by padding: over 5 MB in total
        licence = _licence(content=_image() + b"\0" * (5 * 1024 * 1024))
    response = acme_client.post(APPLY, _form(licence=licence))
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert re.search(r'data-testid="licence-field".*invalid-feedback', html, re.S)
    with tenant_context(acme):
        assert not CustomerApplication.objects.exists()
        assert not Customer.objects.filter(name="Sunrise Trading").exists()


def test_missing_fields_are_shown_next_to_each_field(acme, acme_client):
    _open(acme)
    response = acme_client.post(APPLY, _form(company="", contact_name="", email="not-an-email",
                                             phone=""))
    assert response.status_code == 400
    assert response.content.count(b"invalid-feedback") >= 4
    with tenant_context(acme):
        assert not CustomerApplication.objects.exists()


def test_an_email_with_an_account_or_a_pending_application_is_a_field_error(acme, acme_client):
    _open(acme)
    response = acme_client.post(APPLY, _form(email="OWNER@acme.example"))
    assert response.status_code == 400
    assert re.search(rb'name="email"[^>]*is-invalid|is-invalid[^>]*name="email"',
                     response.content)
    assert b"already has an account or an application" in response.content
    assert acme_client.post(APPLY, _form()).status_code == 302
    again = acme_client.post(APPLY, _form(phone="13800000999"))
    assert again.status_code == 400 and b"waiting for review" in again.content
    with tenant_context(acme):
        assert CustomerApplication.objects.count() == 1


def test_more_than_the_hourly_limit_from_one_address_is_refused(acme, acme_client, monkeypatch):
    _open(acme)
    monkeypatch.setattr(application_services, "APPLICATIONS_PER_IP_PER_HOUR", 2)
    for n in range(2):
        response = acme_client.post(APPLY, _form(email=f"a{n}@shops.example",
                                                 phone=f"1370000000{n}"))
        assert response.status_code == 302
    refused = acme_client.post(APPLY, _form(email="a9@shops.example", phone="13700000009"))
    assert refused.status_code == 429
    assert b"Too many applications" in refused.content
    with tenant_context(acme):
        assert CustomerApplication.objects.count() == 2


def test_signed_in_users_are_sent_to_their_start_page(acme, acme_client, login_as):
    _open(acme)
    with tenant_context(acme):
        dealer = _dealer()
    login_as(acme_client, acme, _owner_in(acme))
    assert acme_client.get(APPLY).url == "/dashboard/"
    dealer_client = login_as(TenantClient(host_of(acme)), acme, dealer)
    assert dealer_client.get(APPLY).url == "/shop/"


def _owner_in(tenant):
    with tenant_context(tenant):
        return _owner(tenant)


# --- staff review ----------------------------------------------------------------


def test_approve_opens_the_account_and_the_welcome_link_works(
        acme, acme_client, login_as, django_capture_on_commit_callbacks):
    _open(acme)
    with tenant_context(acme):
        level_create(actor=None, name="Retail", price_percent=100, is_default=True)
        gold = level_create(actor=None, name="Gold", price_percent=90)
        rep = staff_with_roles("sales_rep", name="Rep Zhang")
        region = region_create(actor=None, name="Zhejiang")
        application = _submit(acme, 1)
        lead = staff_with_roles("business_lead")
    login_as(acme_client, acme, lead)

    listing = acme_client.get(APPLICATIONS)
    assert listing.status_code == 200 and b"Dealer 1" in listing.content
    assert re.search(rb'data-testid="count-pending">1<', listing.content)
    detail = acme_client.get(f"{APPLICATIONS}{application.pk}/")
    html = detail.content.decode()
    assert detail.status_code == 200
    assert f"{APPLICATIONS}{application.pk}/licence/" in html
    assert re.search(r'<option value="\d+" selected>Retail</option>', html)  # the default level

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = acme_client.post(f"{APPLICATIONS}{application.pk}/", {
            "action": "approve", "level": gold.pk, "sales_rep": rep.pk, "region": region.pk})
    assert response.status_code == 302
    page = acme_client.get(response.url)
    assert b"can now order" in page.content
    with tenant_context(acme):
        assert b'href="/dashboard/customers/%d/"' % application.customer_id in page.content
        customer = Customer.objects.get(pk=application.customer_id)
        assert customer.status == CustomerStatus.ACTIVE
        assert (customer.level, customer.sales_rep, customer.region) == (gold, rep, region)
        login = CustomerLogin.objects.select_related("user").get(customer=customer)
        assert login.is_primary and login.user.is_active
        assert login.user.email == "dealer1@shops.example"
        application.refresh_from_db()
        assert application.status == ApplicationStatus.APPROVED
        assert application.reviewed_by == lead
    welcome = [m for m in mail.outbox if m.to == ["dealer1@shops.example"]]
    assert len(welcome) == 1

    dealer = TenantClient(host_of(acme))
    form = dealer.get(_password_path(welcome[0].body), follow=True).redirect_chain[-1][0]
    done = dealer.post(form, {"new_password1": "Dealer-pass-2026",
                              "new_password2": "Dealer-pass-2026"})
    assert done.status_code == 302
    signed_in = dealer.post("/login/", {"username": "dealer1@shops.example",
                                        "password": "Dealer-pass-2026"})
    assert signed_in.status_code == 302 and signed_in.url == "/shop/"


def test_approving_twice_is_refused_and_duplicates_nothing(
        acme, acme_client, login_as, django_capture_on_commit_callbacks):
    _open(acme)
    with tenant_context(acme):
        application = _submit(acme, 2)
        first, second = staff_with_roles("business_lead"), staff_with_roles("business_lead")
    url = f"{APPLICATIONS}{application.pk}/"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert login_as(acme_client, acme, first).post(url, {"action": "approve"}).status_code == 302
        other = login_as(TenantClient(host_of(acme)), acme, second)
        response = other.post(url, {"action": "approve"}, follow=True)
    assert b"already been reviewed" in response.content
    assert b'data-testid="approve-form"' not in response.content
    with tenant_context(acme):
        assert CustomerLogin.objects.filter(customer_id=application.customer_id).count() == 1
        assert AuditLog.objects.filter(action="customer.application_approve",
                                       object_id=str(application.customer_id)).count() == 1
        application.refresh_from_db()
        assert application.reviewed_by == first
    assert len([m for m in mail.outbox if m.to == ["dealer2@shops.example"]]) == 1
    # nor can it be rejected afterwards
    late = other.post(url, {"action": "reject", "reason": "Too late"}, follow=True)
    assert b"already been reviewed" in late.content
    with tenant_context(acme):
        assert Customer.objects.get(pk=application.customer_id).status == CustomerStatus.ACTIVE


def test_reject_needs_a_reason_and_tells_the_applicant(
        acme, acme_client, login_as, django_capture_on_commit_callbacks):
    _open(acme)
    with tenant_context(acme):
        application = _submit(acme, 3)
    login_as(acme_client, acme, _owner_in(acme))
    url = f"{APPLICATIONS}{application.pk}/"
    empty = acme_client.post(url, {"action": "reject", "reason": "  "})
    assert empty.status_code == 400
    assert b"Tell the applicant why" in empty.content
    with tenant_context(acme):
        application.refresh_from_db()
        assert application.status == ApplicationStatus.PENDING

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = acme_client.post(url, {"action": "reject",
                                          "reason": "We only supply Zhejiang for now."})
    assert response.status_code == 302
    with tenant_context(acme):
        application.refresh_from_db()
        assert application.status == ApplicationStatus.REJECTED
        assert application.customer.status == CustomerStatus.REJECTED
        assert not CustomerLogin.objects.filter(customer=application.customer).exists()
    [message] = [m for m in mail.outbox if m.to == ["dealer3@shops.example"]]
    assert "We only supply Zhejiang for now." in message.body
    tab = acme_client.get(f"{APPLICATIONS}?status=rejected")
    assert b"Dealer 3" in tab.content and re.search(rb'data-testid="count-rejected">1<',
                                                     tab.content)
    assert b"Dealer 3" not in acme_client.get(APPLICATIONS).content


def test_a_sales_rep_sees_only_the_applications_of_their_customers(acme, acme_client, login_as):
    _open(acme)
    with tenant_context(acme):
        rep = staff_with_roles("sales_rep")
        mine, theirs = _submit(acme, 4), _submit(acme, 5)
        customer_update(actor=None, customer=mine.customer, sales_rep=rep)
    login_as(acme_client, acme, rep)
    listing = acme_client.get(APPLICATIONS)
    assert b"Dealer 4" in listing.content and b"Dealer 5" not in listing.content
    assert re.search(rb'data-testid="count-pending">1<', listing.content)
    assert acme_client.get(f"{APPLICATIONS}{mine.pk}/").status_code == 200
    assert acme_client.get(f"{APPLICATIONS}{mine.pk}/licence/").status_code == 200
    for path in (f"{APPLICATIONS}{theirs.pk}/", f"{APPLICATIONS}{theirs.pk}/licence/"):
        assert acme_client.get(path).status_code == 404
    refused = acme_client.post(f"{APPLICATIONS}{theirs.pk}/", {"action": "approve"})
    assert refused.status_code == 404
    with tenant_context(acme):
        theirs.refresh_from_db()
        assert theirs.status == ApplicationStatus.PENDING


def test_viewing_without_manage_customers_shows_no_review_forms(acme, acme_client, login_as):
    _open(acme)
    with tenant_context(acme):
        application = _submit(acme, 6)
        reviewer = staff_with_roles("order_reviewer")  # view_customers only
    login_as(acme_client, acme, reviewer)
    url = f"{APPLICATIONS}{application.pk}/"
    page = acme_client.get(url)
    assert page.status_code == 200 and b'data-testid="approve-form"' not in page.content
    assert acme_client.post(url, {"action": "approve"}).status_code == 403
    with tenant_context(acme):
        application.refresh_from_db()
        assert application.status == ApplicationStatus.PENDING


def test_a_dealer_cannot_open_the_review_pages(acme, acme_client, login_as):
    _open(acme)
    with tenant_context(acme):
        application = _submit(acme, 7)
        dealer = _dealer()
    login_as(acme_client, acme, dealer)
    for path in (APPLICATIONS, f"{APPLICATIONS}{application.pk}/",
                 f"{APPLICATIONS}{application.pk}/licence/", SETTINGS):
        assert acme_client.get(path).status_code == 403, path
    assert acme_client.post(f"{APPLICATIONS}{application.pk}/",
                            {"action": "approve"}).status_code == 403


def test_the_licence_is_served_only_through_its_checked_view(
        acme, globex, acme_client, globex_client, login_as, media_root):
    _open(acme)
    with tenant_context(acme):
        application = _submit(acme, 8)
        name = application.licence.name
        dealer = _dealer()
        owner = _owner(acme)
        default_storage.save("products/photo.png", io.BytesIO(_image()))
    licence_url = f"{APPLICATIONS}{application.pk}/licence/"
    login_as(acme_client, acme, owner)
    response = acme_client.get(licence_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"].startswith("private")
    assert b"".join(response.streaming_content) == _image()
    assert response["Content-Disposition"].startswith("inline")

    # the generic media view refuses private/ for everyone, however the path is spelled
    for path in (f"/media/{name}", f"/media/./{name}", f"/media/products/../{name}",
                 "/media/private/licences/"):
        assert acme_client.get(path).status_code == 404, path
    assert acme_client.get("/media/products/photo.png").status_code == 200  # others still work
    dealer_client = login_as(TenantClient(host_of(acme)), acme, dealer)
    assert dealer_client.get(f"/media/{name}").status_code == 404
    assert dealer_client.get(licence_url).status_code == 403
    anonymous = TenantClient(host_of(acme)).get(f"/media/{name}")
    assert anonymous.status_code == 302 and "/login/" in anonymous.url
    assert TenantClient(host_of(acme)).get(licence_url).status_code == 302

    # globex's staff on their own site: no such application there, and no file
    with tenant_context(globex):
        globex_owner = _owner(globex)
    login_as(globex_client, globex, globex_owner)
    assert globex_client.get(licence_url).status_code == 404
    assert globex_client.get(f"{APPLICATIONS}{application.pk}/").status_code == 404
    assert globex_client.get(f"/media/{name}").status_code == 404
    # an acme session is not valid on globex's host
    stolen = TenantClient(host_of(globex))
    stolen.cookies = acme_client.cookies
    assert stolen.get(licence_url).status_code == 302


def test_an_approval_the_service_refuses_changes_nothing(acme, acme_client, login_as):
    """A sales rep handing the customer to another rep would lose it: refused, all or nothing."""
    _open(acme)
    with tenant_context(acme):
        rep, other = staff_with_roles("sales_rep"), staff_with_roles("sales_rep")
        application = _submit(acme, 9)
        customer_update(actor=None, customer=application.customer, sales_rep=rep)
    login_as(acme_client, acme, rep)
    response = acme_client.post(f"{APPLICATIONS}{application.pk}/",
                                {"action": "approve", "sales_rep": other.pk})
    assert response.status_code == 400
    assert b"Choose one of your regions, or assign the customer to yourself." in response.content
    with tenant_context(acme):
        application.refresh_from_db()
        customer = Customer.objects.get(pk=application.customer_id)
        assert application.status == ApplicationStatus.PENDING
        assert customer.status == CustomerStatus.PENDING and customer.sales_rep == rep
        assert not CustomerLogin.objects.filter(customer=customer).exists()


@pytest.mark.parametrize("fmt, accepted", [("JPEG", True), ("PNG", True), ("WEBP", True),
                                           ("GIF", False), ("BMP", False)])
def test_the_licence_format_is_decided_by_content(fmt, accepted):
    upload = SimpleUploadedFile("licence.png", _image(fmt), content_type="image/png")
    if accepted:
        assert application_services.licence_validate(upload) == \
            application_services.LICENCE_FORMATS[fmt]
    else:
        with pytest.raises(ApplicationError):
            application_services.licence_validate(upload)
