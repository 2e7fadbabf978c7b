"""Phone layouts: every main page of the staff dashboard and of the dealer's shop, at
390 × 844 in English and in 简体中文, is no wider than the screen (a page wider than the
screen scrolls sideways or, on a phone, is zoomed out). Plus the defects found on a
phone: the language buttons and the dashboard's page title on one line, the order
list's date range inside its card, the SKU editor's price field on screen, a long
unbroken product name inside its card next to the favourite button, and the colour ×
size grid showing that it scrolls sideways.

Two fresh suppliers are loaded with a small slice of the demo data (the demo's own
loaders): beverages in English, garments in Chinese, and their quotations (the printed
quotation of both desks is among the pages).
"""

import uuid

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from tests.conftest import OWNER_PASSWORD

# One module-scoped pair of suppliers, and test_pages_covered counts the pages the tests
# before it opened: the whole module runs on one xdist worker (make test: --dist loadgroup).
pytestmark = pytest.mark.xdist_group("phone_overflow")

WIDTH, HEIGHT = 390, 844
LANGUAGES = ["en", "zh-hans"]
DEMO_PASSWORD = "Phone-pass-2026"
# no spaces and no hyphens: only the browser can break it
LONG_NAME = "Superconcentrated" * 4 + "OrangeJuice1.5L"

# The widest element that sticks out of the screen (ignoring what sits inside a box that
# scrolls or clips sideways), for the failure message.
MEASURE = """(width) => {
  const clipped = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if (o === 'auto' || o === 'scroll' || o === 'hidden' || o === 'clip') return true;
    }
    return false;
  };
  let worst = null, right = width;
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width && r.right > right + 0.5 && !clipped(el)) { right = r.right; worst = el; }
  }
  let described = '';
  if (worst) {
    const cls = typeof worst.className === 'string' && worst.className.trim()
      ? '.' + worst.className.trim().split(/\\s+/).join('.') : '';
    const testid = worst.dataset.testid ? `[data-testid=${worst.dataset.testid}]` : '';
    const text = (worst.innerText || worst.value || '').trim().replace(/\\s+/g, ' ').slice(0, 50);
    described = `<${worst.tagName.toLowerCase()}${worst.id ? '#' + worst.id : ''}${cls}${testid}>`
      + ` "${text}" reaches ${Math.round(right)} px`;
  }
  return {inner: window.innerWidth, scroll: document.documentElement.scrollWidth,
          worst: described};
}"""

# the height of a one-line element: its line height plus its own padding and borders
ONE_LINE = """(el) => {
  const s = getComputedStyle(el);
  const extra = ['paddingTop', 'paddingBottom', 'borderTopWidth', 'borderBottomWidth']
    .reduce((sum, k) => sum + parseFloat(s[k]), 0);
  const line = parseFloat(s.lineHeight) || parseFloat(s.fontSize) * 1.5;
  return {height: el.getBoundingClientRect().height, oneLine: line + extra,
          text: el.innerText.trim()};
}"""


# ---------------------------------------------------------------------------- data

def _load(monkeypatch, kind, suffix):
    """A fresh supplier with three customers, a few products and orders in every
    state, through the demo's own loaders cut down to size."""
    from django.contrib.auth import get_user_model

    from demo import suppliers
    from demo.loaders import catalog, customers, orders, supplier_load
    from ordering.orders.enums import OrderStatus
    from tenants.services import tenant_provision

    monkeypatch.setattr(customers, "CUSTOMERS_PER_SUPPLIER", 3)
    monkeypatch.setattr(suppliers, "PASSWORD", DEMO_PASSWORD)
    monkeypatch.setattr(catalog, "BEVERAGES", {"Juice": ["Orange"]})
    monkeypatch.setattr(catalog, "APPAREL", {"上装": ["圆领T恤"]})
    monkeypatch.setattr(orders, "ORDERS", 9)
    monkeypatch.setattr(orders, "FATES", [
        (OrderStatus.COMPLETED, 2), ("partial", 1), (OrderStatus.ORDER_REVIEW, 1),
        (OrderStatus.SHIPPING, 1)])
    chinese = kind == "globex"
    slug = f"phone{kind[0]}{suffix}"
    spec = {"slug": kind, "name": "环球服饰" if chinese else "Acme Beverages",
            "language": "zh-hans" if chinese else "en",
            "dealer": (f"dealer@{slug}.example", "杭州衣尚商贸" if chinese
                       else "Riverside Trading Co.")}
    connection.set_schema_to_public()
    tenant = tenant_provision(name=spec["name"], slug=slug, owner_email=f"owner@{slug}.example",
                              owner_password=OWNER_PASSWORD, owner_name="Alice Chen",
                              language=spec["language"]).tenant
    with tenant_context(tenant):
        # every loader but the staff one (no sales reps: the owner sees every customer)
        supplier_load(spec, only=("regions", "customers", "catalog", "orders", "returns",
                                  "finance", "quotes"))
        ids = _extras(spec, chinese)
        ids["staff"] = get_user_model().objects.filter(
            email=f"owner@{slug}.example").values_list("pk", flat=True).get()
    connection.set_schema_to_public()
    return {"slug": slug, "owner": f"owner@{slug}.example", "dealer": spec["dealer"][0], **ids}


def _extras(spec, chinese):
    """A product with a long unbroken name (in the dealer's cart, favourites and an
    order) and the ids of the pages to open."""
    from ordering.catalog.enums import MovementKind
    from ordering.catalog.models import Product
    from ordering.catalog.services import products as catalog
    from ordering.catalog.services.stock import stock_move
    from ordering.catalog.storefront import favourite_toggle
    from ordering.customers.models import Customer, CustomerLogin
    from ordering.orders.enums import PaymentMethod
    from ordering.orders.models import Order, ReturnRequest, ShippingMethod
    from ordering.orders.services import cart, checkout
    from roles.models import Role

    first = Product.objects.order_by("pk").first()
    product = catalog.product_create(actor=None, name=LONG_NAME, code="LONG0001",
                                     category=first.category, unit=first.unit)
    variant = catalog.variant_save(actor=None, product=product, code="LONG0001-1",
                                   list_price="12.50")
    stock_move(actor=None, variant=variant, kind=MovementKind.RECEIPT, quantity=500)
    login = CustomerLogin.objects.select_related("customer", "user").get(
        user__email=spec["dealer"][0])
    favourite_toggle(login=login, product_id=product.pk)
    grid_product = Product.objects.filter(variants__spec_values__isnull=False).order_by(
        "pk").first() if chinese else None
    checkout.order_place(actor=login.user, lines=[{"variant": variant.pk, "quantity": 3}],
                         address_id=login.customer.addresses.first().pk,
                         payment_method=PaymentMethod.TRANSFER,
                         shipping_method_id=ShippingMethod.objects.order_by("pk").first().pk)
    cart.cart_add(login=login, lines=[{"variant": variant.pk, "quantity": 2},
                                      {"variant": first.variants.first().pk,
                                       "quantity": first.variants.first().min_quantity}])
    order = Order.objects.filter(customer=login.customer).order_by("-pk").first()
    staff_order = Order.objects.order_by("pk").first()
    some_return = ReturnRequest.objects.order_by("pk").first()
    dealer_return = ReturnRequest.objects.filter(order__customer=login.customer).first()
    from ordering.finance.models import Payment, Reconciliation

    from ordering.quotes.enums import InquiryStatus
    from ordering.quotes.models import Inquiry, Quotation

    quoted = Quotation.objects.filter(inquiry__customer=login.customer).order_by(
        "-version", "pk").first()  # a second version: tiers, a free-text line mapped, one declined
    payment = Payment.objects.order_by("pk").first()
    statement = Reconciliation.objects.filter(customer=login.customer).first() or \
        Reconciliation.objects.order_by("pk").first()
    return {"product": first.pk, "long_product": product.pk,
            "payment": payment.pk if payment else None,
            "statement": statement.pk if statement else None,
            "dealer_statement": statement.pk if statement and statement.customer_id ==
            login.customer_id else None,
            "grid_product": grid_product.pk if grid_product else None,
            "variant": variant.pk, "customer": Customer.objects.order_by("pk").first().pk,
            "order": order.pk, "staff_order": staff_order.pk,
            "return": some_return.pk if some_return else None,
            "dealer_return": dealer_return.pk if dealer_return else None,
            "role": Role.objects.order_by("pk").first().pk,
            "quotation": f"{quoted.inquiry_id}/v{quoted.version}" if quoted else None,
            "inquiry": quoted.inquiry_id if quoted else None,
            "open_inquiry": Inquiry.objects.filter(
                status__in=(InquiryStatus.NEW, InquiryStatus.COUNTERED)).values_list(
                "pk", flat=True).first()}


@pytest.fixture(scope="module")
def sites(django_db_setup, django_db_blocker):
    suffix = uuid.uuid4().hex[:6]
    with django_db_blocker.unblock(), pytest.MonkeyPatch.context() as monkeypatch:
        made = {kind: _load(monkeypatch, kind, suffix) for kind in ("acme", "globex")}
        connection.set_schema_to_public()
    return made


def dashboard_pages(ids):
    pages = ["/dashboard/", "/dashboard/orders/", f"/dashboard/orders/{ids['staff_order']}/",
             f"/dashboard/orders/{ids['order']}/", "/dashboard/orders/new/",
             "/dashboard/orders/settings/", "/dashboard/returns/",
             "/dashboard/customers/", f"/dashboard/customers/{ids['customer']}/",
             f"/dashboard/customers/{ids['customer']}/edit/", "/dashboard/customers/new/",
             "/dashboard/customers/applications/", "/dashboard/customers/levels/",
             "/dashboard/customers/settings/", "/dashboard/customers/import/",
             "/dashboard/catalog/products/", f"/dashboard/catalog/products/{ids['product']}/",
             f"/dashboard/catalog/products/{ids['product']}/prices/",
             f"/dashboard/catalog/products/{ids['long_product']}/",
             "/dashboard/catalog/products/new/", "/dashboard/catalog/categories/",
             "/dashboard/catalog/stock/", f"/dashboard/catalog/stock/{ids['variant']}/",
             "/dashboard/catalog/settings/", "/dashboard/catalog/import/",
             "/dashboard/staff/", f"/dashboard/staff/{ids['staff']}/", "/dashboard/staff/invite/",
             "/dashboard/roles/", f"/dashboard/roles/{ids['role']}/", "/dashboard/roles/new/",
             "/dashboard/settings/regions/", "/dashboard/audit/", "/dashboard/audit/logins/",
             "/dashboard/api-keys/", "/dashboard/settings/company/", "/dashboard/billing/",
             "/dashboard/profile/", "/dashboard/notifications/", "/password/change/",
             "/dashboard/finance/", f"/dashboard/finance/customers/{ids['customer']}/",
             "/dashboard/finance/payments/", "/dashboard/finance/payments/new/",
             "/dashboard/finance/statements/", "/dashboard/finance/settings/",
             "/dashboard/settings/online-payments/"]
    if ids["payment"]:
        pages.append(f"/dashboard/finance/payments/{ids['payment']}/")
    if ids["statement"]:
        pages.append(f"/dashboard/finance/statements/{ids['statement']}/")
    if ids["return"]:
        pages.append(f"/dashboard/returns/{ids['return']}/")
    if ids["quotation"]:
        pages += [f"/dashboard/quotes/{ids['quotation']}/print/", "/dashboard/quotes/",
                  f"/dashboard/quotes/{ids['inquiry']}/"]
    if ids["open_inquiry"]:
        pages += [f"/dashboard/quotes/{ids['open_inquiry']}/",
                  f"/dashboard/quotes/{ids['open_inquiry']}/quote/",
                  f"/dashboard/quotes/{ids['open_inquiry']}/assign/"]
    return pages


def shop_pages(ids):
    pages = ["/shop/", "/shop/catalog/", f"/shop/catalog/{ids['product']}/",
             f"/shop/catalog/{ids['long_product']}/", "/shop/favourites/", "/shop/cart/",
             "/shop/checkout/", "/shop/orders/", f"/shop/orders/{ids['order']}/",
             "/shop/returns/", "/shop/account/", "/shop/account/addresses/",
             "/shop/account/addresses/new/", "/shop/account/logins/", "/shop/account/logins/new/",
             "/shop/notifications/", "/password/change/", "/shop/finance/",
             "/shop/finance/transfer/", "/shop/finance/top-up/", "/shop/finance/payments/",
             "/shop/finance/statement/", "/shop/finance/statements/", "/shop/quotes/",
             "/shop/quotes/new/", f"/shop/quotes/new/?variant={ids['variant']}"]
    if ids["dealer_statement"]:
        pages.append(f"/shop/finance/statements/{ids['dealer_statement']}/")
    if ids["grid_product"]:
        pages += [f"/shop/catalog/{ids['grid_product']}/",
                  f"/shop/catalog/{ids['grid_product']}/grid/"]
    if ids["dealer_return"]:
        pages.append(f"/shop/returns/{ids['dealer_return']}/")
    if ids["quotation"]:
        pages += [f"/shop/quotes/{ids['quotation']}/print/", f"/shop/quotes/{ids['inquiry']}/"]
    return pages


# ---------------------------------------------------------------------------- browser

@pytest.fixture
def handset(browser, live, committed):
    context = browser.new_context(locale="en-US", viewport={"width": WIDTH, "height": HEIGHT},
                                  is_mobile=True, has_touch=True)
    context.set_default_timeout(15000)
    yield context.new_page()
    context.close()


def _sign_in(page, live, slug, email, password, language):
    page.goto(live.tenant(slug, "/login/"))
    form = page.get_by_test_id("login-form")
    form.locator("input[name=username]").fill(email)
    form.locator("input[name=password]").fill(password)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    switcher = page.get_by_test_id("language-switcher").first
    switcher.locator(f"button[value='{language}']").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == language


def _too_wide(page, live, slug, path):
    response = page.goto(live.tenant(slug, path))
    assert response.status < 400, f"{path} answered {response.status}"
    page.wait_for_load_state("load")
    measured = page.evaluate(MEASURE, WIDTH)
    if measured["scroll"] > measured["inner"] or measured["inner"] > WIDTH:
        return (f"{path}: {measured['scroll']} px wide in a {measured['inner']} px window "
                f"(screen {WIDTH} px); widest: {measured['worst'] or '?'}")
    return None


def _one_line(page, locator, what, path):
    box = locator.evaluate(ONE_LINE)
    assert box["height"] <= box["oneLine"] * 1.4, (
        f"{path}: {what} {box['text']!r} takes {box['height']:.0f} px, one line is "
        f"{box['oneLine']:.0f} px")


def _language_buttons_on_one_line(page, path):
    buttons = page.get_by_test_id("language-switcher").first.locator("button")
    for n in range(buttons.count()):
        _one_line(page, buttons.nth(n), "language button", path)


PAGES_SEEN = {}


def _dashboard_pages_of(kind, ids):
    if kind == "globex":  # the garments' SKU editor and lists only
        return ["/dashboard/catalog/products/",
                f"/dashboard/catalog/products/{ids['grid_product']}/",
                "/dashboard/orders/", "/dashboard/customers/"]
    return dashboard_pages(ids)


@pytest.mark.parametrize("language", LANGUAGES)
def test_dashboard_pages_fit_a_phone(sites, handset, live, language):
    page, failures = handset, []
    for kind, ids in sites.items():
        _sign_in(page, live, ids["slug"], ids["owner"], OWNER_PASSWORD, language)
        for path in _dashboard_pages_of(kind, ids):
            failure = _too_wide(page, live, ids["slug"], path)
            if failure:
                failures.append(f"[{kind} {language}] {failure}")
            if path.startswith("/dashboard/"):
                _language_buttons_on_one_line(page, path)
                _one_line(page, page.get_by_test_id("page-title"), "page title", path)
            PAGES_SEEN[(kind, "dashboard", language, path)] = True
        page.context.clear_cookies()
    assert not failures, "Pages wider than a 390 px phone:\n" + "\n".join(failures)


@pytest.mark.parametrize("language", LANGUAGES)
def test_shop_pages_fit_a_phone(sites, handset, live, language):
    page, failures = handset, []
    for kind, ids in sites.items():
        _sign_in(page, live, ids["slug"], ids["dealer"], DEMO_PASSWORD, language)
        for path in shop_pages(ids):
            failure = _too_wide(page, live, ids["slug"], path)
            if failure:
                failures.append(f"[{kind} {language}] {failure}")
            if path.startswith("/shop/"):
                _language_buttons_on_one_line(page, path)
            PAGES_SEEN[(kind, "shop", language, path)] = True
        page.context.clear_cookies()
    assert not failures, "Pages wider than a 390 px phone:\n" + "\n".join(failures)


@pytest.mark.parametrize("language", LANGUAGES)
def test_order_filters_and_sku_editor_stay_on_screen(sites, handset, live, language):
    page, ids = handset, sites["acme"]
    _sign_in(page, live, ids["slug"], ids["owner"], OWNER_PASSWORD, language)
    page.goto(live.tenant(ids["slug"], "/dashboard/orders/"))
    card = page.get_by_test_id("order-filters").bounding_box()
    for control in (page.locator("#f-since").locator(".."), page.locator("#f-since"),
                    page.locator("#f-until")):
        box = control.bounding_box()
        assert card["x"] <= box["x"] and box["x"] + box["width"] <= card["x"] + card["width"], (
            f"the date range filter spills out of its card: {box} in {card}")
    page.goto(live.tenant(ids["slug"], f"/dashboard/catalog/products/{ids['product']}/"))
    price = page.get_by_test_id("variant-row").first.locator("input[name$='list_price']")
    price.scroll_into_view_if_needed()
    box = price.bounding_box()
    assert 0 <= box["x"] and box["x"] + box["width"] <= WIDTH, (
        f"the SKU editor's price field is off screen: {box}")
    # each field says what it is once the table's header row is gone
    label = price.locator("xpath=ancestor::td[1]").evaluate(
        "td => getComputedStyle(td, '::before').content")
    assert label.strip('"') not in ("", "none", "normal"), label


@pytest.mark.parametrize("language", LANGUAGES)
def test_long_product_name_breaks_beside_the_favourite_button(sites, handset, live, language):
    page, ids = handset, sites["acme"]
    _sign_in(page, live, ids["slug"], ids["dealer"], DEMO_PASSWORD, language)
    page.goto(live.tenant(ids["slug"], f"/shop/catalog/{ids['long_product']}/"))
    assert page.evaluate("window.innerWidth") == WIDTH, "the page is zoomed out"
    title = page.get_by_test_id("product-title").bounding_box()
    favourite = page.get_by_test_id("favourite-toggle").bounding_box()
    overlap = (title["x"] < favourite["x"] + favourite["width"]
               and favourite["x"] < title["x"] + title["width"]
               and title["y"] < favourite["y"] + favourite["height"]
               and favourite["y"] < title["y"] + title["height"])
    assert not overlap, f"the favourite button {favourite} overlaps the title {title}"
    assert title["x"] + title["width"] <= WIDTH and favourite["x"] + favourite["width"] <= WIDTH
    assert title["width"] > WIDTH / 3, f"the title is squeezed to {title['width']} px"


@pytest.mark.parametrize("language", LANGUAGES)
def test_size_grid_shows_that_it_scrolls(sites, handset, live, language):
    page, ids = handset, sites["globex"]
    _sign_in(page, live, ids["slug"], ids["dealer"], DEMO_PASSWORD, language)
    page.goto(live.tenant(ids["slug"], f"/shop/catalog/{ids['grid_product']}/grid/"))
    wrap = page.get_by_test_id("grid-scroll")
    box = wrap.locator("[data-ol-scroll]")
    wider = box.evaluate("b => b.scrollWidth > b.clientWidth")
    columns = page.get_by_test_id("grid-column")
    last = columns.nth(columns.count() - 1)
    assert last.inner_text().strip() == "XL"
    if not wider:  # every column fits: nothing to show, and XL is on screen
        edge = last.bounding_box()
        assert edge["x"] + edge["width"] <= WIDTH
        return
    # a shadow on the right edge and a hint say there is more; the first column stays
    assert "ol-more-end" in wrap.get_attribute("class")
    # the shadow fades in (a .15 s transition): wait for it rather than read one frame
    page.wait_for_function(
        "() => parseFloat(getComputedStyle(document.querySelector("
        "'[data-testid=grid-scroll]'), '::after').opacity) > 0.9", timeout=2000)
    hint = page.get_by_test_id("grid-scroll-hint")
    assert hint.is_visible() and hint.inner_text().strip()
    first = page.get_by_test_id("grid-row").first.locator("th")
    assert first.evaluate("th => getComputedStyle(th).position") == "sticky"
    before = first.bounding_box()["x"]
    box.evaluate("b => { b.scrollLeft = b.scrollWidth; b.dispatchEvent(new Event('scroll')); }")
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=grid-scroll]').classList.contains('ol-more-end')")
    assert first.bounding_box()["x"] == pytest.approx(before, abs=1)
    edge = last.bounding_box()
    assert edge["x"] + edge["width"] <= WIDTH + 1, "the XL column cannot be reached"


def test_pages_covered(sites):
    """How many pages the two page tests above open, in each language; when they ran in
    this process, every one of them was indeed opened."""
    paths = {(kind, "dashboard", path) for kind, ids in sites.items()
             for path in _dashboard_pages_of(kind, ids)}
    paths |= {(kind, "shop", path) for kind, ids in sites.items() for path in shop_pages(ids)}
    print(f"\nphone overflow: {len(paths)} pages in {len(LANGUAGES)} languages "
          f"= {len(paths) * len(LANGUAGES)} page loads")
    assert len(paths) >= 80
    seen = {(kind, surface, path) for kind, surface, _language, path in PAGES_SEEN}
    assert seen <= paths
