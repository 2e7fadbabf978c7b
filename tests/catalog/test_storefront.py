"""The dealer storefront (/shop/catalog/): visibility by shelf, level and active
variants; the dealer's own prices everywhere (never another level's); search, filters,
sorting and pages; stock per the tenant's setting; favourites; the colour × size order
grid; query budgets; isolation between tenants; staff are not shoppers."""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from core.exceptions import ApplicationError, NotFoundError, PermissionDeniedError
from ordering.catalog import storefront
from ordering.catalog.enums import MovementKind, StockDisplay
from ordering.catalog.models import Favourite, Variant
from ordering.catalog.pricing import price_for
from ordering.catalog.services import products as catalog
from ordering.catalog.services.settings import catalog_settings_update
from ordering.catalog.services.stock import stock_move
from ordering.customers.enums import BuyerRole
from ordering.customers.selectors import login_for_dealer
from ordering.customers.services import customers as customer_services
from ordering.customers.services import logins as login_services
from tests.conftest import TenantClient
from tests.factories.roles import staff_with_roles

PASSWORD = "Correct-Horse-42"
SITE = "http://acme.localhost"
LIST_BUDGET = 12
PRODUCT_BUDGET = 12


def _login(customer, email, **values):
    login = login_services.login_create(actor=None, customer=customer, email=email,
                                        password=PASSWORD, site_url=SITE, **values)
    login.user.must_change_password = False
    login.user.save(update_fields=["must_change_password"])
    return login_for_dealer(login.user)


def _product(name, code, *, price, unit, category=None, brand=None, tags=(), levels=None,
             barcode="", on_shelf=True, stock=0, **variant):
    product = catalog.product_create(actor=None, name=name, code=code, unit=unit,
                                     category=category, brand=brand, tags=list(tags),
                                     levels=levels, on_shelf=on_shelf)
    v = catalog.variant_save(actor=None, product=product, code=f"{code}-1", list_price=price,
                             barcode=barcode, **variant)
    if stock:
        stock_move(actor=None, variant=v, kind=MovementKind.RECEIPT, quantity=stock)
    return product, v


@pytest.fixture
def store(in_acme):
    """Two levels (Gold pays 80 % of list, Silver 90 %); Gold's dealer Gina and Silver's
    dealer Sam (plus Vic, view only); a category tree Drinks > Juice, Snacks; products
    priced so every level's price is a distinct string."""
    gold = customer_services.level_create(actor=None, name="Gold", price_percent=80)
    silver = customer_services.level_create(actor=None, name="Silver", price_percent=90)
    gold_co = customer_services.customer_create(actor=None, name="Gold Trading", level=gold)
    silver_co = customer_services.customer_create(actor=None, name="Silver Stores",
                                                  level=silver)
    gina = _login(gold_co, "gina@gold.example", name="Gina")
    sam = _login(silver_co, "sam@silver.example", name="Sam")
    vic = _login(silver_co, "vic@silver.example", name="Vic", buyer_role=BuyerRole.VIEW_ONLY)
    bottle = catalog.unit_get_or_create("bottle")
    box = catalog.unit_get_or_create("box")
    drinks = catalog.category_create(actor=None, name="Drinks")
    juice = catalog.category_create(actor=None, name="Juice", parent=drinks)
    snacks = catalog.category_create(actor=None, name="Snacks")
    sunny = catalog.brand_get_or_create("Sunny")
    # list 123.40 → Gold fixed 97.30, Silver 90 % = 111.06
    orange, orange_v = _product("Orange juice 鲜榨橙汁", "OJ-1", price="123.40", unit=bottle,
                                category=juice, brand=sunny, tags=["fresh"],
                                barcode="6901234567892", stock=50,
                                units=[(box, 12)])
    catalog.level_price_set(actor=None, variant=orange_v, level=gold, price="97.30")
    # list 20.00 → Gold 16.00, Silver 18.00
    cola, cola_v = _product("Cola classic 可乐", "COLA", price="20.00", unit=bottle,
                            category=drinks, stock=5)
    # list 8.00 → Gold 6.40, Silver 7.20
    chips, chips_v = _product("Potato chips 薯片", "CHIPS", price="8.00", unit=bottle,
                              category=snacks, tags=["salty"])
    # only Gold sees it: list 333.30 → Gold 266.64
    reserve, reserve_v = _product("Gold reserve wine 金卡珍藏", "WINE-G", price="333.30",
                                  unit=bottle, levels=[gold], stock=3)
    # off the shelf
    hidden, _hidden_v = _product("Retired tea 旧茶", "TEA-OLD", price="44.40", unit=bottle,
                                 on_shelf=False)
    return SimpleNamespace(
        gold=gold, silver=silver, gold_co=gold_co, silver_co=silver_co, gina=gina, sam=sam,
        vic=vic, bottle=bottle, box=box, drinks=drinks, juice=juice, snacks=snacks,
        sunny=sunny, orange=orange, orange_v=orange_v, cola=cola, cola_v=cola_v, chips=chips,
        chips_v=chips_v, reserve=reserve, reserve_v=reserve_v, hidden=hidden)


@pytest.fixture
def client_for(acme, login_as):
    def sign_in(login):
        return login_as(TenantClient("acme.localhost"), acme, login.user)

    return sign_in


def _ids(response):
    return [card.product.pk for card in response.context["cards"]]


def _body(response):
    return response.content.decode()


# --- visibility and prices -----------------------------------------------------------


def test_each_level_sees_its_own_prices_and_products_on_the_list(store, client_for):
    sam = client_for(store.sam)
    response = sam.get("/shop/catalog/")
    assert response.status_code == 200
    body = _body(response)
    assert set(_ids(response)) == {store.orange.pk, store.cola.pk, store.chips.pk}
    for own in ("111.06", "18.00", "7.20"):
        assert own in body
    for other in ("97.30", "16.00", "6.40", "266.64", "333.30", "123.40", "Gold reserve",
                  "Retired tea", "44.40"):
        assert other not in body  # Gold's prices, list prices, hidden products

    gina = client_for(store.gina)
    response = gina.get("/shop/catalog/")
    body = _body(response)
    assert set(_ids(response)) == {store.orange.pk, store.cola.pk, store.chips.pk,
                                   store.reserve.pk}
    for own in ("97.30", "16.00", "6.40", "266.64"):
        assert own in body
    for other in ("111.06", "18.00", "7.20", "Retired tea"):
        assert other not in body


def test_the_same_price_on_list_product_page_and_engine(store, client_for):
    sam = client_for(store.sam)
    card = next(c for c in sam.get("/shop/catalog/").context["cards"]
                if c.product.pk == store.orange.pk)
    page = sam.get(f"/shop/catalog/{store.orange.pk}/")
    assert page.status_code == 200
    engine = price_for(store.silver_co, store.orange_v)
    assert card.price_min.price == page.context["selected"].price.price == engine.price
    assert engine.price == Decimal("111.06")
    body = _body(page)
    assert "111.06" in body
    for other in ("97.30", "266.64", "Gold reserve"):
        assert other not in body
    # the explanation and the box price come from the engine too
    assert page.context["selected"].price.explanation == engine.explanation
    assert "1,332.72" in body  # a box of 12 at 111.06


def test_hidden_products_are_404_and_absent_everywhere_for_the_other_level(store, client_for):
    sam = client_for(store.sam)
    assert sam.get(f"/shop/catalog/{store.reserve.pk}/").status_code == 404
    assert sam.get(f"/shop/catalog/{store.hidden.pk}/").status_code == 404
    assert sam.get(f"/shop/catalog/{store.reserve.pk}/grid/").status_code == 404
    assert sam.post(f"/shop/catalog/{store.reserve.pk}/favourite/").status_code == 404
    assert not Favourite.objects.filter(user=store.sam.user).exists()
    for url in ("/shop/catalog/?q=wine", "/shop/catalog/?q=金卡", "/shop/catalog/?q=WINE-G",
                "/shop/catalog/?sort=price", "/shop/catalog/?price_min=200",
                "/shop/favourites/"):
        body = _body(sam.get(url))
        assert "Gold reserve" not in body and "266.64" not in body and "333.30" not in body
    # a product Sam favourited before it was hidden from Silver disappears from the list
    Favourite.objects.create(user=store.sam.user, product=store.reserve)
    response = sam.get("/shop/favourites/")
    assert _ids(response) == [] and "266.64" not in _body(response)
    gina = client_for(store.gina)
    assert gina.get(f"/shop/catalog/{store.reserve.pk}/").status_code == 200
    assert gina.get(f"/shop/catalog/{store.hidden.pk}/").status_code == 404


def test_inactive_variants_are_not_shown_and_a_product_without_one_is_hidden(store,
                                                                           client_for):
    extra = catalog.variant_save(actor=None, product=store.cola, code="COLA-ZERO",
                                 list_price="55.50", is_active=False)
    sam = client_for(store.sam)
    page = sam.get(f"/shop/catalog/{store.cola.pk}/")
    assert "COLA-ZERO" not in _body(page) and "49.95" not in _body(page)
    assert sam.get(f"/shop/catalog/{store.cola.pk}/?variant={extra.pk}").context[
        "selected"].variant.pk == store.cola_v.pk
    assert _ids(sam.get("/shop/catalog/?q=COLA-ZERO")) == []
    catalog.variant_save(actor=None, product=store.chips, variant=store.chips_v, code="CHIPS-1",
                         list_price="8.00", is_active=False)
    assert store.chips.pk not in _ids(sam.get("/shop/catalog/"))
    assert sam.get(f"/shop/catalog/{store.chips.pk}/").status_code == 404


def test_a_customer_price_beats_the_level_on_every_page(store, client_for):
    catalog.customer_price_set(actor=None, variant=store.cola_v, customer=store.silver_co,
                               price="12.34")
    sam = client_for(store.sam)
    assert "12.34" in _body(sam.get("/shop/catalog/"))
    page = sam.get(f"/shop/catalog/{store.cola.pk}/")
    assert page.context["selected"].price.price == Decimal("12.34")
    assert "Your special price 12.34" in _body(page)  # the explanation says why
    # and Gina does not see Sam's special price
    assert "12.34" not in _body(client_for(store.gina).get(f"/shop/catalog/{store.cola.pk}/"))


# --- search, filters, sorting, pages ----------------------------------------------------


@pytest.mark.parametrize("query", ["鲜榨", "橙汁", "orange", "RANGE JU", "oj-", "OJ-1-1",
                                   "6901234567892", "690123"])
def test_search_finds_partial_names_in_both_languages_codes_and_barcodes(store, client_for,
                                                                         query):
    response = client_for(store.sam).get("/shop/catalog/", {"q": query})
    assert response.status_code == 200
    assert _ids(response) == [store.orange.pk]


def test_search_without_a_match_shows_the_empty_state(store, client_for):
    response = client_for(store.sam).get("/shop/catalog/", {"q": "durian"})
    assert _ids(response) == []
    assert 'data-testid="catalog-empty"' in _body(response)
    for wildcard in ("%", "_", "\\"):  # typed literally, not as patterns
        assert _ids(client_for(store.sam).get("/shop/catalog/", {"q": wildcard})) == []


def test_name_search_uses_the_trigram_index(store):
    unit = store.bottle
    for n in range(300):
        catalog.product_create(actor=None, name=f"Filler product {n} 填充", code=f"F-{n}",
                               unit=unit)
    qs = storefront._filtered(store.sam, q="range ju")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE catalog_product")
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = qs.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "product_name_trgm" in plan


def test_category_filter_includes_sub_categories(store, client_for):
    sam = client_for(store.sam)
    response = sam.get("/shop/catalog/", {"category": store.drinks.pk})
    assert set(_ids(response)) == {store.orange.pk, store.cola.pk}
    assert _ids(sam.get("/shop/catalog/", {"category": store.juice.pk})) == [store.orange.pk]
    assert _ids(sam.get("/shop/catalog/", {"category": store.snacks.pk})) == [store.chips.pk]
    nav = {node.pk: node.count for node in response.context["categories"]}
    assert nav == {store.drinks.pk: 2, store.juice.pk: 1, store.snacks.pk: 1}


def test_category_navigation_counts_only_what_the_level_sees(store, client_for):
    wines = catalog.category_create(actor=None, name="Wines")
    catalog.product_update(actor=None, product=store.reserve, category=wines)
    sam_nav = client_for(store.sam).get("/shop/catalog/").context["categories"]
    assert wines.pk not in {node.pk for node in sam_nav}
    gina_nav = client_for(store.gina).get("/shop/catalog/").context["categories"]
    assert {node.pk: node.count for node in gina_nav}[wines.pk] == 1


def test_brand_and_tag_filters(store, client_for):
    sam = client_for(store.sam)
    assert _ids(sam.get("/shop/catalog/", {"brand": store.sunny.pk})) == [store.orange.pk]
    assert _ids(sam.get("/shop/catalog/", {"tag": "salty"})) == [store.chips.pk]
    response = sam.get("/shop/catalog/")
    assert response.context["tags"] == ["fresh", "salty"]
    assert [b.pk for b in response.context["brands"]] == [store.sunny.pk]


def test_price_range_filters_on_the_dealers_own_price(store, client_for):
    # Cola: list 20.00, Silver 18.00, Gold 16.00
    sam, gina = client_for(store.sam), client_for(store.gina)
    assert _ids(sam.get("/shop/catalog/", {"price_min": "17", "price_max": "19"})) == [
        store.cola.pk]
    assert _ids(gina.get("/shop/catalog/", {"price_min": "17", "price_max": "19"})) == []
    assert _ids(gina.get("/shop/catalog/", {"price_min": "16", "price_max": "16"})) == [
        store.cola.pk]
    # the list price (20.00) is not what is filtered on
    assert _ids(sam.get("/shop/catalog/", {"price_min": "19.5", "price_max": "20.5"})) == []
    assert set(_ids(sam.get("/shop/catalog/", {"price_max": "20"}))) == {store.cola.pk,
                                                                          store.chips.pk}


def test_bad_filters_are_reported_and_ignored(store, client_for):
    response = client_for(store.sam).get("/shop/catalog/", {"price_min": "abc",
                                                            "price_max": "10", "sort": "x"})
    assert response.status_code == 400
    assert 'data-testid="filter-errors"' in _body(response)
    assert _ids(response) == [store.chips.pk]  # the valid filter still applies
    response = client_for(store.sam).get("/shop/catalog/", {"price_min": "30",
                                                            "price_max": "10"})
    assert response.status_code == 400
    assert "The highest price is below the lowest price." in _body(response)


def test_sorting_by_the_dealers_price_name_and_newest(store, client_for):
    # a special price makes Chips the dearest for Sam, whatever the list says
    catalog.customer_price_set(actor=None, variant=store.chips_v, customer=store.silver_co,
                               price="500.00")
    sam = client_for(store.sam)
    assert _ids(sam.get("/shop/catalog/", {"sort": "price"})) == [
        store.cola.pk, store.orange.pk, store.chips.pk]
    assert _ids(sam.get("/shop/catalog/", {"sort": "-price"})) == [
        store.chips.pk, store.orange.pk, store.cola.pk]
    assert _ids(sam.get("/shop/catalog/", {"sort": "name"})) == [
        store.cola.pk, store.orange.pk, store.chips.pk]
    assert _ids(sam.get("/shop/catalog/", {"sort": "new"})) == [
        store.chips.pk, store.cola.pk, store.orange.pk]


def test_pages(store, client_for):
    sam = client_for(store.sam)
    first = sam.get("/shop/catalog/", {"per_page": 2, "sort": "name"})
    second = sam.get("/shop/catalog/", {"per_page": 2, "sort": "name", "page": 2})
    assert _ids(first) == [store.cola.pk, store.orange.pk]
    assert _ids(second) == [store.chips.pk]
    assert first.context["page"].paginator.count == 3
    assert "page=2" in _body(first)
    priced = sam.get("/shop/catalog/", {"per_page": 2, "sort": "price", "page": 2})
    assert _ids(priced) == [store.orange.pk] and priced.context["page"].paginator.count == 3


# --- stock ---------------------------------------------------------------------------


def test_stock_is_shown_as_the_tenant_says(store, client_for, acme):
    sam = client_for(store.sam)
    url = f"/shop/catalog/{store.orange.pk}/"
    catalog_settings_update(actor=None, stock_display=StockDisplay.EXACT,
                            allow_oversell=False)
    assert "50 in stock" in _body(sam.get(url))
    catalog_settings_update(actor=None, stock_display=StockDisplay.LEVEL,
                            allow_oversell=False)
    body = _body(sam.get(url))
    assert "In stock" in body and "50 in stock" not in body
    assert 'data-stock="low"' in _body(sam.get(f"/shop/catalog/{store.cola.pk}/"))
    assert 'data-stock="out"' in _body(sam.get(f"/shop/catalog/{store.chips.pk}/"))
    catalog_settings_update(actor=None, stock_display=StockDisplay.HIDDEN,
                            allow_oversell=False)
    body = _body(sam.get(url))
    assert 'data-testid="stock"' not in body and 'data-testid="filter-in-stock"' not in body
    # hidden stock: the in-stock filter is ignored rather than revealing anything
    assert set(_ids(sam.get("/shop/catalog/", {"in_stock": "1"}))) == {
        store.orange.pk, store.cola.pk, store.chips.pk}


def test_in_stock_filter(store, client_for, acme):
    catalog_settings_update(actor=None, stock_display=StockDisplay.LEVEL,
                            allow_oversell=False)
    assert set(_ids(client_for(store.sam).get("/shop/catalog/", {"in_stock": "1"}))) == {
        store.orange.pk, store.cola.pk}


# --- favourites ----------------------------------------------------------------------


def test_favourites_toggle_and_list(store, client_for):
    sam = client_for(store.sam)
    response = sam.post(f"/shop/catalog/{store.cola.pk}/favourite/",
                        {"next": "/shop/catalog/?sort=name"})
    assert response.status_code == 302 and response["Location"] == "/shop/catalog/?sort=name"
    listing = sam.get("/shop/favourites/")
    assert _ids(listing) == [store.cola.pk] and "18.00" in _body(listing)
    assert 'data-favourite="1"' in _body(sam.get(f"/shop/catalog/{store.cola.pk}/"))
    # HTMX gets the button back
    response = sam.post(f"/shop/catalog/{store.cola.pk}/favourite/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'data-favourite="0"' in _body(response)
    assert _ids(sam.get("/shop/favourites/")) == []
    assert 'data-testid="catalog-empty"' in _body(sam.get("/shop/favourites/"))
    # an outside "next" is not followed
    response = sam.post(f"/shop/catalog/{store.cola.pk}/favourite/",
                        {"next": "https://evil.example/"})
    assert response["Location"] == f"/shop/catalog/{store.cola.pk}/"
    # favourites are per login
    assert _ids(client_for(store.vic).get("/shop/favourites/")) == []


# --- the order grid ------------------------------------------------------------------


@pytest.fixture
def tee(store):
    """A T-shirt in Red/Blue × S/M/L (Blue L missing), list 50.00 (Silver 45.00),
    ordered in multiples of 2 from 4, a break: from 10, 10 % off."""
    product = catalog.product_create(actor=None, name="T-shirt 圆领T恤", code="TEE",
                                     unit=store.bottle)
    variants = catalog.variants_generate(actor=None, product=product, list_price="50.00",
                                         specs=[("Colour", ["Red", "Blue"]),
                                                ("Size", ["S", "M", "L"])])
    cells = {}
    for variant in variants:
        key = tuple(v.value for v in variant.spec_values.order_by("attribute_id"))
        cells[key] = catalog.variant_save(
            actor=None, product=product, variant=variant, code=variant.code,
            list_price="50.00", spec_values=list(variant.spec_values.all()),
            min_quantity=4, order_multiple=2)
        stock_move(actor=None, variant=variant, kind=MovementKind.RECEIPT, quantity=20)
    blue_l = cells.pop(("Blue", "L"))
    Variant.objects.filter(pk=blue_l.pk).update(is_active=False)
    catalog.quantity_breaks_set(actor=None, product=product,
                                breaks=[{"min_quantity": 10, "discount_percent": "10"}])
    return SimpleNamespace(product=product, cells=cells, blue_l=blue_l)


def test_grid_lines_validates_and_prices_every_cell(store, tee):
    red_s, red_m, blue_s = tee.cells["Red", "S"], tee.cells["Red", "M"], tee.cells["Blue", "S"]
    lines = storefront.grid_lines(store.sam, tee.product, {
        str(red_s.pk): "4", str(red_m.pk): "10", str(blue_s.pk): "", str(tee.cells[
            "Blue", "M"].pk): "0"})
    assert [(line["variant"].pk, line["quantity"]) for line in lines] == [(red_s.pk, 4),
                                                                          (red_m.pk, 10)]
    assert lines[0]["price"].price == Decimal("45.00")
    assert lines[1]["price"].price == Decimal("40.50")  # 10 % off Silver's 45.00 from 10
    assert storefront.lines_total(lines) == Decimal("585.00")
    assert lines[1]["price"] == price_for(store.silver_co, red_m, quantity=10)


def test_grid_lines_reports_each_bad_cell(store, tee, acme):
    cells = tee.cells
    with pytest.raises(ApplicationError) as error:
        storefront.grid_lines(store.sam, tee.product, {
            str(cells["Red", "S"].pk): "-2",
            str(cells["Red", "M"].pk): "2",     # below the minimum of 4
            str(cells["Red", "L"].pk): "5",     # not a multiple of 2
            str(cells["Blue", "S"].pk): "22",   # 20 in stock
            str(cells["Blue", "M"].pk): "1.5",
            str(tee.blue_l.pk): "4",            # inactive
            str(store.cola_v.pk): "4",          # another product's variant
            "abc": "4",
        })
    fields = error.value.fields
    assert fields[str(cells["Red", "S"].pk)] == ["Enter 0 or more."]
    assert fields[str(cells["Red", "M"].pk)] == ["At least 4."]
    assert fields[str(cells["Red", "L"].pk)] == ["In multiples of 2."]
    assert fields[str(cells["Blue", "S"].pk)] == ["Not enough stock."]
    assert fields[str(cells["Blue", "M"].pk)] == ["Enter a whole number."]
    for key in (str(tee.blue_l.pk), str(store.cola_v.pk), "abc"):
        assert fields[key] == ["This variant is not available."]
    catalog_settings_update(actor=None, stock_display=StockDisplay.EXACT,
                            allow_oversell=False)
    with pytest.raises(ApplicationError) as error:
        storefront.grid_lines(store.sam, tee.product, {str(cells["Blue", "S"].pk): "22"})
    assert error.value.fields == {str(cells["Blue", "S"].pk): ["Only 20 available."]}
    with pytest.raises(ApplicationError) as error:
        storefront.grid_lines(store.sam, tee.product, {str(cells["Blue", "S"].pk): ""})
    assert error.value.code == "empty"
    with pytest.raises(ApplicationError) as error:
        storefront.grid_lines(store.sam, tee.product, {str(cells["Red", "S"].pk): "10000000"})
    assert error.value.fields == {str(cells["Red", "S"].pk): ["Enter at most 999,999."]}
    # with overselling on, stock does not limit the quantity
    catalog_settings_update(actor=None, stock_display=StockDisplay.EXACT,
                            allow_oversell=True)
    cells["Blue", "S"].refresh_from_db()
    lines = storefront.grid_lines(store.sam, tee.product, {str(cells["Blue", "S"].pk): "22"})
    assert lines[0]["quantity"] == 22


def test_grid_lines_respects_visibility_and_buyer_role(store, tee):
    with pytest.raises(PermissionDeniedError):
        storefront.grid_lines(store.vic, tee.product, {str(tee.cells["Red", "S"].pk): "4"})
    catalog.product_update(actor=None, product=tee.product, levels=[store.gold])
    with pytest.raises(NotFoundError):
        storefront.grid_lines(store.sam, tee.product, {str(tee.cells["Red", "S"].pk): "4"})


def test_grid_page_shows_the_matrix_and_the_validated_lines(store, tee, client_for):
    sam = client_for(store.sam)
    url = f"/shop/catalog/{tee.product.pk}/grid/"
    page = sam.get(url)
    assert page.status_code == 200
    grid = page.context["grid"]
    assert [v.value for v in grid.rows] == ["Red", "Blue"]
    assert [v.value for v in grid.columns] == ["S", "M", "L"]
    body = _body(page)
    assert body.count('data-testid="grid-cell"') == 5  # Blue L is not offered
    assert 'href="/shop/catalog/%d/grid/"' % tee.product.pk in _body(
        sam.get(f"/shop/catalog/{tee.product.pk}/"))
    red_s, red_m = tee.cells["Red", "S"], tee.cells["Red", "M"]
    response = sam.post(url, {f"q-{red_s.pk}": "4", f"q-{red_m.pk}": "10"})
    assert response.status_code == 200
    body = _body(response)
    assert 'data-testid="grid-lines"' in body and "585.00" in body and "40.50" in body
    response = sam.post(url, {f"q-{red_s.pk}": "3"})
    assert response.status_code == 400
    assert "At least 4." in _body(response) and 'data-testid="grid-lines"' not in _body(response)
    # view-only logins browse the grid but cannot post it
    vic = client_for(store.vic)
    assert vic.get(url).status_code == 200
    assert 'data-testid="grid-view-only"' in _body(vic.get(url))
    assert vic.post(url, {f"q-{red_s.pk}": "4"}).status_code == 403
    # a product without two specifications has no grid
    assert sam.get(f"/shop/catalog/{store.cola.pk}/grid/").status_code == 302


def test_product_page_variant_selection(store, tee, client_for):
    sam = client_for(store.sam)
    blue_m = tee.cells["Blue", "M"]
    page = sam.get(f"/shop/catalog/{tee.product.pk}/", {"variant": blue_m.pk})
    assert page.context["selected"].variant.pk == blue_m.pk
    assert page.context["selected"].label == "Blue / M"
    body = _body(page)
    assert 'data-testid="quantity-breaks"' in body and "40.50" in body
    assert "Minimum 4 (bottle)" in body and "in multiples of 2" in body
    choices = dict((a.name, opts) for a, opts in page.context["choices"])
    sizes = {o["value"].value: o for o in choices["Size"]}
    assert sizes["L"]["exact"] is False  # Blue L does not exist: leads to Red L
    assert sizes["L"]["offer"].variant.pk == tee.cells["Red", "L"].pk
    assert sizes["M"]["selected"] is True


# --- budgets -------------------------------------------------------------------------


def _make_products(store, count, start=0):
    for n in range(start, start + count):
        product, variant = _product(f"Budget item {n}", f"B-{n}", price="10.00",
                                    unit=store.bottle, category=store.snacks,
                                    brand=store.sunny, tags=["bulk"], stock=n % 3)
        catalog.variant_save(actor=None, product=product, code=f"B-{n}-2", list_price="11.00")


@pytest.mark.parametrize("params", [{}, {"sort": "price"}, {"price_min": "1", "sort": "name"},
                                    {"q": "budget", "category": "0"}])
def test_list_page_query_budget_is_constant(store, client_for, params):
    params = {k: v for k, v in params.items() if v != "0"}
    sam = client_for(store.sam)
    _make_products(store, 17)  # 20 products shown
    sam.get("/shop/catalog/", {"per_page": 100})  # warm-up (session, caches)
    with CaptureQueriesContext(connection) as twenty:
        response = sam.get("/shop/catalog/", {"per_page": 100, **params})
    shown = len(response.context["cards"])
    _make_products(store, 80, start=17)  # 100 products
    with CaptureQueriesContext(connection) as hundred:
        response = sam.get("/shop/catalog/", {"per_page": 100, **params})
    assert len(response.context["cards"]) > shown
    assert len(twenty) == len(hundred) <= LIST_BUDGET, [q["sql"] for q in hundred]


def test_product_page_query_budget(store, tee, client_for):
    sam = client_for(store.sam)
    url = f"/shop/catalog/{tee.product.pk}/"
    sam.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert sam.get(url).status_code == 200
    assert len(queries) <= PRODUCT_BUDGET, [q["sql"] for q in queries]
    with CaptureQueriesContext(connection) as grid_queries:
        assert sam.get(url + "grid/").status_code == 200
    assert len(grid_queries) <= PRODUCT_BUDGET


# --- who may shop --------------------------------------------------------------------


def test_staff_get_403_and_anonymous_sign_in(store, acme, login_as):
    owner = staff_with_roles("system_administrator")
    staff = login_as(TenantClient("acme.localhost"), acme, owner)
    for url in ("/shop/catalog/", f"/shop/catalog/{store.cola.pk}/", "/shop/favourites/",
                f"/shop/catalog/{store.cola.pk}/grid/"):
        assert staff.get(url).status_code == 403
    assert staff.post(f"/shop/catalog/{store.cola.pk}/favourite/").status_code == 403
    anonymous = TenantClient("acme.localhost")
    response = anonymous.get("/shop/catalog/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_view_only_logins_browse(store, client_for):
    vic = client_for(store.vic)
    assert vic.get("/shop/catalog/").status_code == 200
    assert "18.00" in _body(vic.get(f"/shop/catalog/{store.cola.pk}/"))
    assert vic.post(f"/shop/catalog/{store.cola.pk}/favourite/").status_code == 302


def test_a_dealer_without_a_company_sees_a_friendly_page(in_acme, acme, login_as):
    from tests.factories import DealerFactory

    user = DealerFactory(must_change_password=False)
    client = login_as(TenantClient("acme.localhost"), acme, user)
    response = client.get("/shop/catalog/")
    assert response.status_code == 404
    assert 'data-testid="catalog-not-linked"' in _body(response)


def test_acme_products_are_404_on_globex(store, globex, login_as):
    with tenant_context(globex):
        customer = customer_services.customer_create(actor=None, name="环球经销商")
        login = _login(customer, "dealer@globex.example", name="Gao")
        client = login_as(TenantClient("globex.localhost"), globex, login.user)
    for url in (f"/shop/catalog/{store.orange.pk}/", f"/shop/catalog/{store.orange.pk}/grid/"):
        assert client.get(url).status_code == 404
    assert client.post(f"/shop/catalog/{store.orange.pk}/favourite/").status_code == 404
    body = _body(client.get("/shop/catalog/", {"q": "orange"}))
    assert "Orange juice" not in body and "OJ-1" not in body
    assert 'data-testid="catalog-empty"' in body


def _png(colour):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, "PNG")
    return SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")


def test_gallery_thumbnails_and_the_variants_own_picture(store, client_for, acme, globex,
                                                          login_as):
    first = catalog.image_add(actor=None, product=store.cola, upload=_png((200, 0, 0)))
    second = catalog.image_add(actor=None, product=store.cola, upload=_png((0, 0, 200)))
    sam = client_for(store.sam)
    card = next(c for c in sam.get("/shop/catalog/").context["cards"]
                if c.product.pk == store.cola.pk)
    assert card.image_url == first.image.url
    page = sam.get(f"/shop/catalog/{store.cola.pk}/")
    assert [image.pk for image in page.context["images"]] == [first.pk, second.pk]
    assert _body(page).count('data-testid="gallery-image"') == 2
    catalog.variant_save(actor=None, product=store.cola, variant=store.cola_v, code="COLA-1",
                         list_price="20.00", image=second)
    page = sam.get(f"/shop/catalog/{store.cola.pk}/")
    assert [image.pk for image in page.context["images"]] == [second.pk, first.pk]
    assert sam.get(first.image.url).status_code == 200
    # acme's picture is not reachable from globex
    with tenant_context(globex):
        customer = customer_services.customer_create(actor=None, name="Picture peeker")
        login = _login(customer, "peek@globex.example")
    globex_client = login_as(TenantClient("globex.localhost"), globex, login.user)
    assert globex_client.get(first.image.url).status_code == 404
