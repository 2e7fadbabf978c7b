"""Customer business rules at the service layer: codes, levels, credit permission,
scoping on create/update, enabling/disabling with logins, contacts and addresses,
logins' buyer roles and the primary login, bulk assignment."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from guardian.shortcuts import assign_perm

from core.exceptions import ApplicationError, NotFoundError, PermissionDeniedError
from ordering.customers import selectors
from ordering.customers.enums import BuyerRole, CustomerStatus
from ordering.customers.models import Address, Contact, Customer, CustomerLevel, CustomerLogin
from ordering.customers.services import contacts as contact_services
from ordering.customers.services import customers as services
from ordering.customers.services import logins as login_services
from roles.models import AuditLog
from roles.services.regions import region_create
from tests.factories.roles import staff_with_roles

User = get_user_model()
SITE = "http://acme.localhost"


def _customer(name="Riverside Trading", **values):
    return services.customer_create(actor=None, name=name, **values)


def test_codes_are_generated_in_sequence_and_typed_codes_are_skipped(in_acme):
    first = _customer("One")
    assert first.code.startswith("C") and len(first.code) == 6
    number = int(first.code[1:])
    _customer("Typed", code=f"C{number + 1:05d}")
    third = _customer("Three")
    assert third.code == f"C{number + 2:05d}"


def test_codes_are_unique_case_insensitively(in_acme):
    _customer("One", code="ABC-1")
    with pytest.raises(ApplicationError) as error:
        _customer("Two", code="abc-1")
    assert "code" in error.value.fields
    assert Customer.objects.filter(name="Two").count() == 0


@pytest.mark.parametrize(("field", "value"), [
    ("name", ""), ("code", "bad code!"), ("credit_limit", "-5"), ("credit_limit", "abc"),
    ("payment_days", 400), ("payment_terms", "barter"), ("tags", ",".join(f"t{i}" for i in range(25))),
])
def test_invalid_values_are_refused_per_field_and_nothing_is_saved(in_acme, field, value):
    values = {"name": "Valid Name", field: value}
    before = Customer.objects.count()
    with pytest.raises(ApplicationError) as error:
        services.customer_create(actor=None, **values)
    assert field in error.value.fields
    assert Customer.objects.count() == before


def test_new_customers_get_the_default_level_and_a_primary_contact(in_acme):
    level = services.level_create(actor=None, name="Level 1 distributor", price_percent="85",
                                  is_default=True)
    customer = services.customer_create(actor=None, name="Riverside",
                                        contact={"name": "Li Lei", "phone": "13800000001"})
    assert customer.level == level
    assert customer.contacts.get().is_primary
    assert AuditLog.objects.filter(action="customer.create", object_id=str(customer.pk)).exists()


def test_one_default_level_and_levels_in_use_cannot_be_deleted(in_acme):
    a = services.level_create(actor=None, name="A", price_percent=90, is_default=True)
    b = services.level_create(actor=None, name="B", price_percent=80, is_default=True)
    a.refresh_from_db()
    assert b.is_default and not a.is_default
    _customer(level=a)
    with pytest.raises(ApplicationError):
        services.level_delete(actor=None, level=a)
    with pytest.raises(ApplicationError) as error:
        services.level_create(actor=None, name="a", price_percent=90)
    assert "name" in error.value.fields
    with pytest.raises(ApplicationError):
        services.level_create(actor=None, name="Zero", price_percent=0)


def test_credit_limit_needs_the_credit_permission(in_acme):
    rep = staff_with_roles("sales_rep")
    with pytest.raises(ApplicationError) as error:
        services.customer_create(actor=rep, name="Rep's", credit_limit="5000")
    assert "credit_limit" in error.value.fields
    assert not Customer.objects.filter(name="Rep's").exists()
    customer = services.customer_create(actor=rep, name="Rep's")
    with pytest.raises(ApplicationError):
        services.customer_update(actor=rep, customer=customer, credit_limit="100")
    finance = staff_with_roles("finance_reviewer", "sales_rep")
    customer = services.customer_update(actor=finance, customer=customer, credit_limit="100.5",
                                        payment_terms="credit", payment_days=30)
    assert customer.credit_limit == Decimal("100.50") and customer.payment_days == 30


def test_a_sales_rep_owns_the_customers_they_create_and_sees_only_theirs(in_acme):
    rep = staff_with_roles("sales_rep")
    other = _customer("Someone else's")
    mine = services.customer_create(actor=rep, name="Mine")
    assert mine.sales_rep == rep
    visible = set(selectors.customer_list(actor=rep).values_list("pk", flat=True))
    assert visible == {mine.pk}
    assert selectors.customer_get(actor=rep, pk=other.pk) is None
    with pytest.raises(NotFoundError):
        services.customer_update(actor=rep, customer=other, name="Taken over")
    other.refresh_from_db()
    assert other.name == "Someone else's"


def test_a_sales_rep_cannot_hand_a_customer_away(in_acme):
    rep = staff_with_roles("sales_rep")
    colleague = staff_with_roles("sales_rep")
    mine = services.customer_create(actor=rep, name="Mine")
    with pytest.raises(ApplicationError) as error:
        services.customer_update(actor=rep, customer=mine, sales_rep=colleague)
    assert error.value.code == "out_of_scope"
    mine.refresh_from_db()
    assert mine.sales_rep == rep


def test_a_regional_manager_creates_only_inside_their_regions(in_acme):
    gd = region_create(actor=None, name="Guangdong")
    gz = region_create(actor=None, name="Guangzhou", parent=gd)
    zj = region_create(actor=None, name="Zhejiang")
    manager = staff_with_roles("regional_manager")
    assign_perm("roles.work_in_region", manager, gd)
    inside = services.customer_create(actor=manager, name="Inside", region=gz)
    assert inside.sales_rep is None  # reachable through the region
    outside = services.customer_create(actor=manager, name="Outside", region=zj)
    assert outside.sales_rep == manager  # assigned to them, or they would lose it
    with pytest.raises(ApplicationError):
        services.customer_update(actor=manager, customer=inside, region=zj, sales_rep=None)
    inside.refresh_from_db()
    assert inside.region == gz


def test_disabling_a_customer_disables_its_logins_and_enabling_restores_them(in_acme):
    customer = _customer()
    primary = login_services.login_create(actor=None, customer=customer, email="p@river.example",
                                          password="Correct-Horse-42", site_url=SITE)
    other = login_services.login_create(actor=None, customer=customer, email="o@river.example",
                                        password="Correct-Horse-42", site_url=SITE)
    switched_off = login_services.login_create(actor=None, customer=customer,
                                               email="x@river.example",
                                               password="Correct-Horse-42", site_url=SITE)
    login_services.login_set_active(actor=None, login=switched_off, active=False)
    stamp = User.objects.get(pk=other.user_id).security_stamp
    services.customer_set_status(actor=None, customer=customer, active=False)
    states = dict(User.objects.filter(customer_login__customer=customer)
                  .values_list("email", "is_active"))
    assert states == {"p@river.example": False, "o@river.example": False,
                      "x@river.example": False}
    assert User.objects.get(pk=other.user_id).security_stamp == stamp + 1
    services.customer_set_status(actor=None, customer=customer, active=True)
    states = dict(User.objects.filter(customer_login__customer=customer)
                  .values_list("email", "is_active"))
    assert states == {"p@river.example": True, "o@river.example": True,
                      "x@river.example": False}  # disabled on its own: stays off
    assert primary.is_primary


def test_pending_customers_change_status_only_through_their_application(in_acme):
    customer = _customer(status=CustomerStatus.PENDING)
    with pytest.raises(ApplicationError):
        services.customer_set_status(actor=None, customer=customer, active=True)


def test_first_login_is_primary_and_can_order_without_limit(in_acme):
    customer = _customer()
    first = login_services.login_create(actor=None, customer=customer, email="a@r.example",
                                        buyer_role=BuyerRole.VIEW_ONLY, site_url=SITE)
    assert first.is_primary and first.buyer_role == BuyerRole.ORDER
    second = login_services.login_create(actor=None, customer=customer, email="b@r.example",
                                         buyer_role=BuyerRole.ORDER_UP_TO, order_limit="5000",
                                         site_url=SITE)
    assert not second.is_primary and second.order_limit == Decimal("5000.00")
    assert second.needs_approval(Decimal("5000.01")) and not second.needs_approval(Decimal("5000"))
    with pytest.raises(ApplicationError) as error:
        login_services.login_create(actor=None, customer=customer, email="c@r.example",
                                    buyer_role=BuyerRole.ORDER_UP_TO, site_url=SITE)
    assert "order_limit" in error.value.fields
    assert not User.objects.filter(email="c@r.example").exists()


def test_moving_the_primary_login_and_its_rules(in_acme):
    customer = _customer()
    first = login_services.login_create(actor=None, customer=customer, email="a@r.example",
                                        site_url=SITE)
    second = login_services.login_create(actor=None, customer=customer, email="b@r.example",
                                         site_url=SITE)
    with pytest.raises(ApplicationError):
        login_services.login_set_active(actor=None, login=first, active=False)
    with pytest.raises(ApplicationError):
        login_services.login_update(actor=None, login=first, is_primary=False)
    login_services.login_update(actor=None, login=second, is_primary=True)
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.is_primary and not first.is_primary
    assert CustomerLogin.objects.filter(customer=customer, is_primary=True).count() == 1


def test_a_primary_dealer_manages_its_company_logins_and_others_cannot(in_acme):
    customer = _customer()
    primary = login_services.login_create(actor=None, customer=customer, email="a@r.example",
                                          password="Correct-Horse-42", site_url=SITE)
    buyer = login_services.login_create(actor=primary.user, customer=customer,
                                        email="b@r.example", password="Correct-Horse-42",
                                        buyer_role=BuyerRole.VIEW_ONLY, site_url=SITE)
    assert buyer.user.must_change_password
    with pytest.raises(PermissionDeniedError):
        login_services.login_create(actor=buyer.user, customer=customer, email="c@r.example",
                                    site_url=SITE)
    with pytest.raises(PermissionDeniedError):
        login_services.login_update(actor=primary.user, login=buyer, is_primary=True)
    stranger = _customer("Stranger")
    with pytest.raises(NotFoundError):
        login_services.login_create(actor=primary.user, customer=stranger, email="d@r.example",
                                    site_url=SITE)


def test_contacts_and_addresses_keep_one_primary_and_one_default(in_acme):
    customer = _customer()
    a = contact_services.contact_save(actor=None, customer=customer, name="A")
    b = contact_services.contact_save(actor=None, customer=customer, name="B", is_primary=True)
    a.refresh_from_db()
    assert b.is_primary and not a.is_primary
    contact_services.contact_delete(actor=None, contact=b)
    a.refresh_from_db()
    assert a.is_primary
    x = contact_services.address_save(actor=None, customer=customer, recipient="X", phone="1",
                                      address="1 Road")
    y = contact_services.address_save(actor=None, customer=customer, recipient="Y", phone="2",
                                      address="2 Road")
    assert x.is_default and not y.is_default
    contact_services.address_set_default(actor=None, address=y)
    assert list(Address.objects.filter(customer=customer, is_default=True)) == [y]
    contact_services.address_delete(actor=None, address=y)
    x.refresh_from_db()
    assert x.is_default
    with pytest.raises(ApplicationError) as error:
        contact_services.address_save(actor=None, customer=customer, recipient="", phone="",
                                      address="")
    assert "recipient" in error.value.fields
    assert Contact.objects.filter(customer=customer).count() == 1


def test_a_dealer_edits_only_its_own_companys_addresses(in_acme):
    mine, theirs = _customer("Mine"), _customer("Theirs")
    login = login_services.login_create(actor=None, customer=mine, email="a@m.example",
                                        site_url=SITE)
    contact_services.address_save(actor=login.user, customer=mine, recipient="Me", phone="1",
                                  address="1 Road")
    with pytest.raises(NotFoundError):
        contact_services.address_save(actor=login.user, customer=theirs, recipient="Me",
                                      phone="1", address="1 Road")
    assert not theirs.addresses.exists()


def test_bulk_assignment_is_all_or_nothing_within_scope(in_acme):
    rep = staff_with_roles("sales_rep")
    colleague = staff_with_roles("sales_rep")
    lead = staff_with_roles("business_lead")
    level = services.level_create(actor=None, name="Gold", price_percent=90)
    customers = [_customer(f"C{i}") for i in range(3)]
    ids = [c.pk for c in customers]
    assert services.customers_bulk_assign(actor=lead, customer_ids=ids, sales_rep=rep,
                                          level=level) == 3
    assert set(selectors.customer_list(actor=rep).values_list("pk", flat=True)) == set(ids)
    foreign = _customer("Foreign")
    with pytest.raises(NotFoundError):
        services.customers_bulk_assign(actor=rep, customer_ids=[*ids, foreign.pk], level=None)
    with pytest.raises(ApplicationError):
        services.customers_bulk_assign(actor=rep, customer_ids=ids, sales_rep=colleague)
    assert set(Customer.objects.filter(pk__in=ids).values_list("sales_rep", flat=True)) == {rep.pk}
    services.customers_bulk_assign(actor=lead, customer_ids=ids[:1], sales_rep=None)
    assert set(selectors.customer_list(actor=rep).values_list("pk", flat=True)) == set(ids[1:])
    assert CustomerLevel.objects.get(pk=level.pk).customers.filter(pk__in=ids).count() == 3


def test_staff_without_manage_customers_cannot_write(in_acme):
    clerk = staff_with_roles("shipping_clerk")
    with pytest.raises(PermissionDeniedError):
        services.customer_create(actor=clerk, name="Nope")
    customer = _customer()
    with pytest.raises(PermissionDeniedError):
        services.customer_update(actor=clerk, customer=customer, name="Nope")
    with pytest.raises(PermissionDeniedError):
        services.level_create(actor=clerk, name="Nope")
    assert not Customer.objects.filter(name="Nope").exists()


def test_search_and_filters(in_acme):
    gd = region_create(actor=None, name="Guangdong")
    gz = region_create(actor=None, name="Guangzhou", parent=gd)
    level = services.level_create(actor=None, name="Gold", price_percent=90)
    a = services.customer_create(actor=None, name="Pearl River Foods", region=gz, level=level,
                                 tags="vip, north", contact={"name": "Wang Wei",
                                                             "phone": "13912345678"})
    b = _customer("Other", level=services.level_create(actor=None, name="Silver",
                                                          price_percent=95))
    lead = staff_with_roles("business_lead")

    def ids(**filters):
        return {c.pk for c in selectors.customer_list(actor=lead, **filters)}

    assert ids(query="pearl") == {a.pk}
    assert ids(query="Wang") == {a.pk}
    assert ids(query="13912345678") == {a.pk}
    assert ids(query=a.code.lower()) == {a.pk}
    assert ids(region=gd.pk) == {a.pk}  # sub-regions included
    assert ids(level=level.pk) == {a.pk}
    assert ids(tag="vip") == {a.pk}
    assert b.pk in ids(sales_rep="none")
    assert ids(status="disabled") == set()
    assert ids(level="not-a-number") >= {a.pk, b.pk}
    assert [c.pk for c in selectors.customer_list(actor=lead, sort="-name")][:2] == [a.pk, b.pk]


@pytest.mark.parametrize(("field", "value"), [
    ("email", "not-an-address"), ("phone", "1" * 33), ("name", "x" * 121),
    ("tax_number", "9" * 41),
])
def test_formats_and_lengths_are_checked_by_the_service(in_acme, field, value):
    values = {"name": "Valid", field: value}
    with pytest.raises(ApplicationError) as error:
        services.customer_create(actor=None, **values)
    assert field in error.value.fields
    customer = _customer("Valid")
    with pytest.raises(ApplicationError) as error:
        contact_services.contact_save(actor=None, customer=customer, name="A",
                                      email="bad@", phone="1" * 40)
    assert set(error.value.fields) & {"email", "phone"}
