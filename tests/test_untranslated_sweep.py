"""No English left in the Simplified Chinese interface.

Every page of the shop, the dashboard, the tenant's public pages, the public site and
/ops/ is rendered in 简体中文 for a user of each kind (anonymous, the owner, every
built-in staff role, a dealer's primary and view-only logins, a platform operator).
The pages are discovered from the URL resolvers: every GET route without arguments,
plus every detail page filled with the ids of objects created here. The visible text
(scripts, styles and preformatted raw data stripped; ``placeholder``, ``title``, ``aria-label``, ``alt`` and
the labels of buttons included) may not hold a run of two or more English words, nor
a single word the catalog translates (a plan called "Trial"), except the data this test created (product, customer and people's names, addresses,
codes), e-mail addresses and URLs.
"""

import io
import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.encoding import force_bytes
from django.utils import translation
from django.utils.http import urlsafe_base64_encode
from django_tenants.utils import tenant_context

from tests.conftest import TenantClient, host_of
from tests.factories.roles import staff_with_roles
from tests.factories.users import OperatorFactory
from tests.orders.conftest import build_shop, place
from tests.factories.users import operator_login

LANGUAGE = "zh-hans"
SKIPPED_PREFIXES = ("api/", "media/", "admin/", "static/", "login/link/", "__")
# Product and technical names that are the same in every language (not sentences).
TERMS = {"REST API", "CSV UTF-8", "Excel CSV", "API ID", "Django Admin", "User Agent",
         "Orderline Orderline"}
ENGLISH_RUN = re.compile(r"[A-Za-z][A-Za-z'’]*(?:[ \t\u00a0]+[A-Za-z][A-Za-z'’]*)+")
HIDDEN = {"script", "style", "template", "noscript", "pre"}  # pre: raw data (audit diffs)
ATTRIBUTES = ("placeholder", "title", "aria-label", "alt")


class VisibleText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.hidden = [], 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in HIDDEN:
            self.hidden += 1
        for name in ATTRIBUTES:
            if attrs.get(name):
                self.parts.append(attrs[name])
        if tag == "input" and attrs.get("type") in ("submit", "button", "reset") \
                and attrs.get("value"):
            self.parts.append(attrs["value"])

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in HIDDEN:
            self.hidden -= 1

    def handle_endtag(self, tag):
        if tag in HIDDEN and self.hidden:
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden and data.strip():
            self.parts.append(data)


def visible_text(html):
    parser = VisibleText()
    parser.feed(html)
    return "\n".join(parser.parts)


def catalog_words():
    """Single English words the catalog translates ("Trial", "Open", "Save" …): shown
    alone, untranslated, they are as much a leftover as a sentence."""
    po = (settings.BASE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po").read_text(
        encoding="utf-8")
    pairs = re.findall(r'^msgid "([A-Za-z]+)"\nmsgstr "(.*)"', po, re.M)
    return {word.lower() for word, translated in pairs if translated.lower() != word.lower()}


WORDS = catalog_words()


def english_runs(text, allowed):
    text = re.sub(r"\S+@\S+|https?://\S+", " ", text)  # e-mail addresses, URLs
    text = re.sub(r"\{[a-z_]+\}", " ", text)  # placeholders the user types: {number}
    for value in sorted(allowed, key=len, reverse=True):
        text = text.replace(value, " ")
    text = re.sub(r"\S*[\d._]\S*", " ", text)  # codes: SO-20261206-0001, product.update
    runs = {m.group(0) for m in ENGLISH_RUN.finditer(text)} - TERMS
    words = {m.group(0) for m in re.finditer(r"(?<![A-Za-z])[A-Za-z]+(?![A-Za-z])", text)
             if m.group(0).lower() in WORDS}
    return sorted(runs | words)


# --- the routes -------------------------------------------------------------------------


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.name


ARGUMENT = re.compile(r"<(?:\w+:)?(\w+)>")


def routes(urlconf, ids):
    """Paths of every route of ``urlconf``: those without arguments as they are, the
    others filled from ``ids`` (keyed by the path segment before the argument); a route
    with an argument nothing here fills is left out and returned apart."""
    paths, unfilled = set(), set()
    for route, _name in _walk(get_resolver(urlconf).url_patterns):
        if route.startswith(SKIPPED_PREFIXES) or route.startswith("^"):
            continue
        path, ok = "", True
        segments = route.split("/")
        for i, segment in enumerate(segments):
            match = ARGUMENT.fullmatch(segment)
            if match:
                key = (segments[i - 1] if i else "", match.group(1))
                value = ids.get(key) or ids.get(key[0]) or ids.get(key[1])
                if value is None:
                    ok = False
                    break
                segment = str(value)
            path += segment + ("/" if i < len(segments) - 1 else "")
        if ok:
            paths.add("/" + path)
        else:
            unfilled.add(route)
    return sorted(paths), sorted(unfilled)


# --- the data ---------------------------------------------------------------------------


def _png():
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (0, 120, 200)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def shop(in_acme, acme):
    return build_shop(acme)


@pytest.fixture
def world(shop, acme, django_capture_on_commit_callbacks):
    """The order-test world plus an order shipped and returned, one in review with a
    message, a contact, a region, an application, a cart and a template; every user
    prefers Chinese."""
    from ordering.catalog.models import Variant
    from ordering.customers.services import applications
    from ordering.settings.services import settings_update
    from ordering.customers.services import contacts as contact_services
    from ordering.orders import workflow
    from ordering.orders.models import CartTemplate
    from ordering.orders.services import cart, messages, returns
    from ordering.orders.services.shipments import shipment_create
    from roles.models import Role
    from roles.services.regions import region_create

    User = get_user_model()
    User.objects.update(preferred_language=LANGUAGE)  # notifications are written in it
    with django_capture_on_commit_callbacks(execute=True):
        shop.staff.lead = staff_with_roles("business_lead", email="lead@acme.example")
        shop.staff.regional = staff_with_roles("regional_manager", email="region@acme.example")
        User.objects.update(preferred_language=LANGUAGE)
        region = region_create(actor=None, name="Harbour district")
        contact = contact_services.contact_save(actor=None, customer=shop.customer,
                                                name="Dana Li", phone="13800000000",
                                                is_primary=True)
        translation.activate(LANGUAGE)  # the dealer orders in Chinese (price notes are kept)
        shipped = place(shop, key="sweep-shipped")
        for _ in range(3):
            shipped = workflow.transition(order=shipped, action=workflow.APPROVE,
                                          actor=shop.staff.admin)
        shipment_create(actor=shop.staff.shipper, order=shipped,
                        quantities={line.pk: line.to_ship for line in shipped.lines.all()},
                        tracking_number="SF1234567")
        item = returns.return_request(actor=shop.dana.user, order=shipped,
                                      quantities={shipped.lines.first().pk: 2},
                                      reason="Two bottles leaked")
        in_review = place(shop, key="sweep-review",
                          lines=[{"variant": shop.cola.pk, "quantity": 12}])
        translation.deactivate()
        messages.message_post(actor=shop.dana.user, order=in_review, body="Deliver by Friday")
        settings_update(actor=None, self_registration=True)
        connection.tenant = acme
        application = applications.application_submit(
            tenant=acme, company="Sunrise Trading", contact_name="Li Wei",
            email="li.wei@sunrise.example", phone="13900001111",
            licence=SimpleUploadedFile("licence.png", _png(), content_type="image/png"),
            message="We run three shops", language="en")
        cart.cart_add(login=shop.dana, lines=[{"variant": shop.juice.pk, "quantity": 3}])
        cart.template_save(login=shop.dana, name="Weekly juice")
    from django.utils import timezone

    from ordering.finance.services import payments, reconciliation

    payment = payments.payment_record(actor=shop.dana.user, amount="95.00",
                                      paid_on=timezone.localdate(), reference="ICBC 1")
    statement = reconciliation.reconciliation_issue(
        actor=shop.staff.admin, customer=shop.customer,
        start=timezone.localdate().replace(day=1), end=timezone.localdate())
    reconciliation.reconciliation_dispute(actor=shop.dana.user, reconciliation=statement,
                                          lines=[(None, "运费应该免")])
    User.objects.update(preferred_language=LANGUAGE)
    from ordering.notifications.models import Notification
    from ordering.orders.models import CartLine

    staff_note = Notification.objects.filter(recipient=shop.staff.admin).first() \
        or Notification.objects.exclude(recipient=shop.dana.user).first()
    dealer_note = Notification.objects.filter(recipient=shop.dana.user).first()
    ids = {
        "staff": shop.staff.reviewer.pk, "roles": Role.objects.order_by("pk").first().pk,
        "levels": shop.level.pk, "customers": shop.customer.pk,
        ("contacts", "item_pk"): contact.pk, ("addresses", "item_pk"): shop.address.pk,
        ("logins", "item_pk"): shop.viewer.pk,
        "applications": application.pk, "products": shop.juice.product_id,
        ("stock", "pk"): shop.juice.pk, "shipping-methods": shop.truck.pk,
        "carriers": shop.carrier.pk, "orders": shipped.pk, "returns": item.pk,
        ("catalog", "pk"): shop.juice.product_id, ("addresses", "pk"): shop.address.pk,
        ("logins", "pk"): shop.viewer.pk, ("lines", "pk"): CartLine.objects.first().pk,
        ("templates", "pk"): CartTemplate.objects.first().pk,
        ("notifications", "pk"): (staff_note or dealer_note).pk if (staff_note or dealer_note)
        else None,
        ("reset", "uidb64"): urlsafe_base64_encode(force_bytes(shop.dana.user.pk)),
        ("payments", "pk"): payment.pk, ("statements", "pk"): statement.pk,
        "token": default_token_generator.make_token(shop.dana.user),
    }
    extra = {"review_order": in_review.pk, "variant": Variant.objects.first().pk,
             "region": region.pk}
    return {"shop": shop, "ids": ids, "extra": extra}


def data_strings(acme):
    """The text of the data this test (and the tenants' setup) created: names, codes,
    addresses and messages are shown as they were typed, in any language."""
    from ordering.catalog import models as catalog
    from ordering.customers import models as customers
    from ordering.orders import models as orders
    from roles.models import Region
    from tenants.models import Tenant

    sources = [
        (catalog.Product, ("name", "code")), (catalog.Variant, ("code", "barcode")),
        (catalog.Unit, ("name",)), (catalog.Brand, ("name",)), (catalog.Category, ("name",)),
        (catalog.SpecAttribute, ("name",)), (catalog.SpecValue, ("value",)),
        (customers.Customer, ("name", "code")), (customers.CustomerLevel, ("name",)),
        (customers.Contact, ("name", "title")),
        (customers.Address, ("recipient", "address")),
        (customers.CustomerApplication, ("company", "contact_name", "message")),
        (orders.ShippingMethod, ("name",)), (orders.Carrier, ("name",)),
        (orders.CartTemplate, ("name",)),
        (orders.Order, ("number", "recipient", "address", "remark", "shipping_method_name")),
        (orders.OrderLine, ("product_name", "spec_label", "unit_name", "sku_code")),
        (orders.OrderEvent, ("reason",)), (orders.OrderMessage, ("body",)),
        (orders.ReturnRequest, ("reason", "number")), (Region, ("name",)),
        (get_user_model(), ("name", "email")),
    ]
    found = set()
    with tenant_context(acme):
        for model, fields in sources:
            names = [f.name for f in model._meta.get_fields() if f.name in fields]
            for row in model.objects.values_list(*names):
                found.update(str(v) for v in row if v)
    connection.set_schema_to_public()
    found.update(n for row in Tenant.objects.values_list("name", "slug") for n in row)
    found.update(get_user_model().objects.values_list("name", flat=True))
    found.update(v for row in get_user_model().objects.values_list("name", "email")
                 for v in row if v)
    return {s for s in found if s and re.search(r"[A-Za-z]", s)}


# --- the sweep --------------------------------------------------------------------------


def _client(host, login_as=None, tenant=None, user=None):
    client = TenantClient(host)
    client.raise_request_exception = False
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = LANGUAGE
    if user is not None:
        if tenant is None:
            operator_login(client, user)
        else:
            login_as(client, tenant, user)
    return client


RENDERS = []


def _sweep(client, paths, allowed, seen, problems, who):
    for path in paths:
        follow = "/password/reset/" in path and path.count("/") > 4
        response = client.get(path, follow=follow)
        if response.status_code >= 500:
            problems.append(f"{who} {client.host}{path}: answers {response.status_code}")
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        seen.add((client.host, path))
        RENDERS.append((who, client.host, path))
        runs = english_runs(visible_text(response.content.decode()), allowed)
        if runs:
            problems.append(f"{who} {client.host}{path}: {runs}")


def test_no_english_is_left_in_the_chinese_interface(world, acme, login_as, capsys):
    shop, ids = world["shop"], world["ids"]
    tenant_paths, unfilled = routes(settings.ROOT_URLCONF, ids)
    from billing.models import Plan

    public_paths, public_unfilled = routes(settings.PUBLIC_SCHEMA_URLCONF, {
        "tenants": acme.pk, "plans": Plan.objects.get(code="pro").pk})
    # a second order (in review, with a message) and the notification pages
    tenant_paths += [f"/dashboard/orders/{world['extra']['review_order']}/",
                     f"/shop/orders/{world['extra']['review_order']}/"]
    allowed = data_strings(acme)
    host = host_of(acme)
    seen, problems = set(), []
    dashboard = [p for p in tenant_paths if not p.startswith("/shop/")]
    storefront = [p for p in tenant_paths if not p.startswith("/dashboard/")]
    with tenant_context(acme):
        User = get_user_model()
        staff = {"owner": User.objects.get(email="owner@acme.example"),
                 **{key: getattr(shop.staff, key) for key in (
                     "admin", "lead", "reviewer", "finance", "warehouse", "shipper", "sales",
                     "regional")}}
    connection.set_schema_to_public()
    _sweep(_client(host), tenant_paths, allowed, seen, problems, "anonymous")
    for who, user in staff.items():
        _sweep(_client(host, login_as, acme, user), dashboard, allowed, seen, problems, who)
    for who, login in (("dealer", shop.dana), ("view-only dealer", shop.viewer)):
        _sweep(_client(host, login_as, acme, login.user), storefront, allowed, seen, problems,
               who)
    public = settings.BASE_DOMAIN
    _sweep(_client(public), public_paths, allowed, seen, problems, "anonymous")
    operator = OperatorFactory(email="operator@orderline.example", name="Olive Operator",
                               preferred_language=LANGUAGE)
    allowed |= {"Olive Operator", "operator@orderline.example"}
    _sweep(_client(public, user=operator), public_paths, allowed, seen, problems, "operator")

    with capsys.disabled():
        print(f"\nEnglish sweep: {len(seen)} pages rendered in {LANGUAGE}, "
              f"{len(RENDERS)} renders for {len({r[0] for r in RENDERS})} kinds of user "
              f"({len(tenant_paths)} tenant and {len(public_paths)} public routes tried; "
              f"routes with arguments nothing here fills: {unfilled + public_unfilled})")
    assert len(seen) >= 60
    if problems:
        pytest.fail("English in the Chinese interface:\n" + "\n".join(problems), pytrace=False)


# --- what only a POST shows: password rules; the plan's name ------------------------------

PASSWORD_ENGLISH = re.compile(r"This password|Your password|too short|too common|numeric")


def test_signup_password_errors_are_in_chinese(public_client):
    public_client.cookies[settings.LANGUAGE_COOKIE_NAME] = LANGUAGE
    response = public_client.post("/signup/", {
        "name": "Sunrise Foods", "slug": "sunrise-zh", "owner_name": "Li Na",
        "owner_email": "li.na@sunrise.example", "owner_password": "1234", "language": LANGUAGE})
    text = visible_text(response.content.decode())
    assert "密码太短，至少需要 8 个字符。" in text
    assert not PASSWORD_ENGLISH.search(text)


@pytest.mark.parametrize("path", ["staff", "dealer"])
def test_new_login_password_errors_are_in_chinese(shop, acme, login_as, path):
    from ordering.customers.enums import BuyerRole

    data = {"email": "erin@gold.example", "name": "Erin", "phone": "",
            "buyer_role": BuyerRole.ORDER, "access": "password", "password": "abc12"}
    if path == "staff":
        client = _client(host_of(acme), login_as, acme, shop.staff.admin)
        url = f"/dashboard/customers/{shop.customer.pk}/logins/new/"
    else:
        client = _client(host_of(acme), login_as, acme, shop.dana.user)
        url = "/shop/account/logins/new/"
    for user in (shop.staff.admin, shop.dana.user):
        get_user_model().objects.filter(pk=user.pk).update(preferred_language=LANGUAGE)
    response = client.post(url, data)
    text = visible_text(response.content.decode())
    assert response.status_code in (200, 400)
    assert "密码太短" in text and not PASSWORD_ENGLISH.search(text)


def test_plan_names_are_translated_on_the_dashboard_and_in_ops(acme, login_as):
    from tenants.enums import Plan

    assert acme.plan == Plan.TRIAL
    with tenant_context(acme):
        owner = get_user_model().objects.get(email="owner@acme.example")
        owner.preferred_language = LANGUAGE
        owner.save(update_fields=["preferred_language"])
    client = _client(host_of(acme), login_as, acme, owner)
    shown = [path for path in ("/dashboard/", "/dashboard/billing/")
             if 'data-testid="subscription-plan">试用版<' in client.get(path).content.decode()]
    assert shown == ["/dashboard/", "/dashboard/billing/"]
    operator = OperatorFactory(preferred_language=LANGUAGE)
    body = _client(settings.BASE_DOMAIN, user=operator).get("/ops/").content.decode()
    assert '<td data-testid="tenant-plan">试用版</td>' in body
    assert ">trial<" not in body and ">Trial<" not in body
