"""Inquiries and quotations (SPEC §9): who may move an inquiry where, every version kept
and compared, acceptance into an order at exactly the quoted prices (once), expiry,
free-text lines, scope and query budgets."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone
from django_tenants.utils import tenant_context
from hypothesis import given, strategies as st

from core.exceptions import (ApplicationError, ConflictError, NotFoundError,
                             PermissionDeniedError)
from ordering.orders.models import Order
from ordering.quotes import selectors, services, tiers as tier_rules, workflow
from ordering.quotes.enums import DealerStatus, InquiryStatus, RoundStatus
from ordering.quotes.models import Inquiry, Quotation
from tests.factories.roles import staff_with_roles
from tests.quotes.conftest import accept, answer, ask, soon

S = InquiryStatus


# --- asking -----------------------------------------------------------------------------


def test_a_dealer_asks_for_catalog_and_free_text_lines(shop):
    inquiry = ask(shop, delivery_date=soon(20), note="For the summer fair")
    today = timezone.localdate()
    assert inquiry.number.startswith(f"Q-{today:%Y%m%d}-")
    assert inquiry.status == S.NEW and inquiry.customer == shop.customer
    juice, crate = inquiry.lines.all()
    assert (juice.variant, juice.quantity, juice.is_free_text) == (shop.juice, 120, False)
    assert (crate.description, crate.quantity, crate.unit_text, crate.target_price) == (
        "Blue crates", 50, "pcs", Decimal("3.00"))
    second = ask(shop)
    assert int(second.number[-4:]) == int(inquiry.number[-4:]) + 1
    assert workflow.dealer_status(inquiry.status) == DealerStatus.SUBMITTED


def test_bad_lines_are_refused_line_by_line_and_nothing_is_saved(shop):
    with pytest.raises(ApplicationError) as caught:
        ask(shop, lines=[{"variant": shop.juice.pk, "quantity": 0},
                         {"description": "", "quantity": 3},
                         {"variant": 999999, "quantity": 1},
                         {"description": "Lids", "quantity": 2, "target_price": "-1"},
                         {"variant": shop.cola.pk, "unit": shop.case_unit.pk, "quantity": 1}])
    assert caught.value.code == "invalid_lines"
    assert set(caught.value.fields["lines"]) == {"0", "1", "2", "3", "4"}
    assert not Inquiry.objects.exists()


def test_a_dealer_asks_for_what_is_in_the_cart(shop):
    from ordering.orders.models import CartLine

    with pytest.raises(ApplicationError) as caught:
        services.cart_inquire(actor=shop.dana.user)
    assert caught.value.code == "empty"
    CartLine.objects.create(login=shop.dana, variant=shop.juice, unit=shop.case_unit,
                            quantity=3)
    CartLine.objects.create(login=shop.dana, variant=shop.cola, quantity=12)
    with pytest.raises(PermissionDeniedError):  # a view-only login, whatever its cart
        services.cart_inquire(actor=shop.viewer.user)
    inquiry = services.cart_inquire(actor=shop.dana.user, note="Best price?")
    assert [(l.variant, l.unit, l.quantity) for l in inquiry.lines.all()] == [
        (shop.juice, shop.case_unit, 3), (shop.cola, None, 12)]
    assert CartLine.objects.filter(login=shop.dana).count() == 2  # kept


def test_a_quoted_case_is_priced_per_case_with_the_engine_reference(shop):
    inquiry = ask(shop, lines=[{"variant": shop.juice.pk, "unit": shop.case_unit.pk,
                                "quantity": 10}])
    line = services.quotation_send(
        actor=shop.staff.admin, inquiry=inquiry, valid_until=soon(),
        lines=[{"inquiry_line": inquiry.lines.get().pk, "unit_price": "90.00"}]).lines.get()
    assert (line.unit, line.unit_price, line.reference_price) == (
        shop.case_unit, Decimal("90.00"), Decimal("96.00"))  # 12 × 8.00
    order_line = accept(shop, inquiry).order.lines.get()
    assert (order_line.unit_name, order_line.quantity, order_line.base_quantity,
            order_line.unit_price, order_line.line_total) == (
        "case", 10, 120, Decimal("90.00"), Decimal("900.00"))


def test_an_inquiry_is_assigned_only_to_staff_who_quote_for_its_customer(shop):
    inquiry = ask(shop)
    for assignee in (shop.staff.warehouse, shop.dana.user):
        with pytest.raises(ApplicationError) as caught:
            services.inquiry_assign(actor=shop.staff.admin, inquiry=inquiry, assignee=assignee)
        assert "assigned_to" in caught.value.fields
    other = ask(shop, actor=shop.olga.user)
    with pytest.raises(ApplicationError):  # the rep does not work with Other Stores
        services.inquiry_assign(actor=shop.staff.admin, inquiry=other,
                                assignee=shop.staff.sales)
    inquiry.refresh_from_db()
    assert inquiry.assigned_to is None and inquiry.status == S.NEW


def test_a_counter_offer_on_an_expired_quotation_is_refused(shop):
    inquiry = ask(shop)
    quotation = answer(shop, inquiry)
    Quotation.objects.filter(pk=quotation.pk).update(
        valid_until=timezone.localdate() - timedelta(days=1))
    with pytest.raises(ConflictError) as caught:
        services.quotation_counter(actor=shop.dana.user, inquiry=inquiry, counters=[
            {"line": quotation.lines.first().pk, "wanted_price": "7"}])
    assert caught.value.code == "quotation_expired"
    assert not quotation.counters.exists()


def test_a_view_only_login_and_staff_cannot_ask(shop):
    for actor in (shop.viewer.user, shop.staff.admin):
        with pytest.raises(PermissionDeniedError):
            ask(shop, actor=actor)
    assert not Inquiry.objects.exists()


# --- the transition table ---------------------------------------------------------------

# action → {actor: statuses it may start from}; every other pair is refused
ALLOWED = {
    workflow.START: {"staff": {S.NEW}},
    workflow.QUOTE: {"staff": {S.NEW, S.IN_PROGRESS, S.COUNTERED, S.EXPIRED}},
    workflow.COUNTER: {"dealer": {S.QUOTED}},
    workflow.ACCEPT: {"dealer": {S.QUOTED}, "staff": {S.QUOTED}},
    workflow.DECLINE: {"dealer": {S.QUOTED, S.COUNTERED}},
    workflow.WITHDRAW: {"dealer": {S.NEW, S.IN_PROGRESS, S.QUOTED, S.COUNTERED}},
    workflow.EXPIRE: {"platform": {S.QUOTED, S.COUNTERED}},
}


@pytest.mark.parametrize("action", sorted(ALLOWED))
def test_who_may_move_an_inquiry_from_where(shop, action):
    inquiry = ask(shop)
    actors = {"dealer": shop.dana.user, "staff": shop.staff.admin, "platform": None}
    never = [shop.viewer.user, shop.olga.user, shop.staff.warehouse]  # view only, other
    for status in S.values:                                         # company, no perm
        Inquiry.objects.filter(pk=inquiry.pk).update(status=status)
        inquiry.refresh_from_db()
        for kind, actor in actors.items():
            expected = status in ALLOWED[action].get(kind, set())
            assert workflow.may(inquiry, action, actor) is expected, (status, kind)
        for actor in never:
            assert not workflow.may(inquiry, action, actor), (status, actor)


def test_every_working_status_has_a_dealer_status():
    assert {s: workflow.dealer_status(s) for s in S.values} == {
        "new": "submitted", "in_progress": "submitted", "quoted": "needs_answer",
        "countered": "quoted", "accepted": "accepted", "declined": "closed",
        "expired": "closed", "withdrawn": "closed"}


def test_a_refused_transition_changes_nothing(shop):
    inquiry = ask(shop)
    with pytest.raises(ConflictError) as caught:
        services.quotation_decline(actor=shop.dana.user, inquiry=inquiry)
    assert caught.value.code == "invalid_transition"
    inquiry.refresh_from_db()
    assert inquiry.status == S.NEW and not inquiry.events.exists()


def test_staff_without_the_quote_permission_cannot_quote(shop):
    inquiry = ask(shop)
    with pytest.raises(PermissionDeniedError):
        answer(shop, inquiry, actor=shop.staff.warehouse)
    assert not Quotation.objects.exists()


def test_an_assigned_inquiry_is_quoted_by_its_assignee_or_who_sees_every_customer(shop):
    inquiry = ask(shop)
    services.inquiry_assign(actor=shop.staff.admin, inquiry=inquiry, assignee=shop.staff.sales)
    inquiry.refresh_from_db()
    assert inquiry.status == S.IN_PROGRESS and inquiry.assigned_to == shop.staff.sales
    other_rep = staff_with_roles("sales_rep", email="rep2@acme.example")
    from ordering.customers.services import customers as customer_services

    with pytest.raises(NotFoundError):  # not their customer
        answer(shop, inquiry, actor=other_rep)
    customer_services.customer_update(actor=None, customer=shop.customer, sales_rep=other_rep)
    services.inquiry_assign(actor=shop.staff.admin, inquiry=inquiry, assignee=shop.staff.admin)
    with pytest.raises(PermissionDeniedError) as caught:
        answer(shop, inquiry, actor=other_rep)
    assert caught.value.code == "not_assigned"
    assert answer(shop, inquiry, actor=shop.staff.admin).version == 1


# --- rounds and versions ----------------------------------------------------------------


def test_every_version_is_kept_intact_and_the_diff_marks_each_change(shop):
    inquiry = ask(shop)
    v1 = answer(shop, inquiry, prices=("7.50", "4.00"))
    juice_v1, crate_v1 = v1.lines.all()
    assert (juice_v1.unit_price, juice_v1.reference_price) == (Decimal("7.50"), Decimal("8.00"))
    assert (crate_v1.variant, crate_v1.unit_price) == (shop.cola, Decimal("4.00"))
    inquiry.refresh_from_db()
    assert workflow.dealer_status(inquiry.status) == DealerStatus.NEEDS_ANSWER
    services.quotation_counter(actor=shop.dana.user, inquiry=inquiry, counters=[
        {"line": juice_v1.pk, "wanted_price": "7.00", "comment": "Competitor: 7.00"}])
    inquiry.refresh_from_db()
    assert inquiry.status == S.COUNTERED
    juice_line, crate_line = inquiry.lines.all()
    v2 = services.quotation_send(
        actor=shop.staff.admin, inquiry=inquiry, valid_until=soon(),
        lines=[{"inquiry_line": juice_line.pk, "unit_price": "7.20",
                "tiers": [{"min_qty": 500, "price": "6.90"}]},
               {"inquiry_line": crate_line.pk, "variant": shop.cola.pk, "unit_price": "4.00",
                "quantity": 66}])
    assert v2.version == 2
    v1_again = Quotation.objects.get(pk=v1.pk)
    assert v1_again.status == RoundStatus.SUPERSEDED and v2.status == RoundStatus.SENT
    assert [(l.unit_price, l.quantity, l.variant_id, l.tiers) for l in v1_again.lines.all()] == [
        (Decimal("7.50"), 120, shop.juice.pk, []), (Decimal("4.00"), 60, shop.cola.pk, [])]
    counter = v1_again.counters.get()
    assert (counter.line, counter.wanted_price, counter.comment) == (
        juice_v1, Decimal("7.00"), "Competitor: 7.00")
    detail = selectors.inquiry_detail(actor=shop.staff.admin, pk=inquiry.pk)
    diff = selectors.quotation_diff(selectors.version(detail, 1), selectors.version(detail, 2))
    assert [(row["inquiry_line"], row["changes"]) for row in diff] == [
        (juice_line.pk, {"unit_price": (Decimal("7.50"), Decimal("7.20")),
                         "tiers": ([], [{"min_qty": 500, "price": "6.90"}])}),
        (crate_line.pk, {"quantity": (60, 66)})]


def test_the_diff_marks_a_mapped_variant_and_a_declined_line(shop):
    inquiry = ask(shop)
    answer(shop, inquiry, map_crate=False)
    services.quotation_counter(actor=shop.dana.user, inquiry=inquiry, counters=[
        {"line": Quotation.objects.get().lines.last().pk, "comment": "Which crate is it?"}])
    answer(shop, inquiry)
    answer_three = None
    services.quotation_counter(actor=shop.dana.user, inquiry=inquiry, counters=[
        {"line": Quotation.objects.get(version=2).lines.first().pk, "wanted_quantity": 200}])
    answer_three = answer(shop, inquiry, decline_crate=True)
    detail = selectors.inquiry_detail(actor=shop.dana.user, pk=inquiry.pk)
    crate_line = inquiry.lines.last().pk
    one_two = selectors.quotation_diff(selectors.version(detail, 1), selectors.version(detail, 2))
    assert dict((r["inquiry_line"], r["changes"]) for r in one_two)[crate_line] == {
        "variant_id": (None, shop.cola.pk)}
    two_three = selectors.quotation_diff(selectors.version(detail, 2),
                                         selectors.version(detail, answer_three.version))
    changes = dict((r["inquiry_line"], r["changes"]) for r in two_three)[crate_line]
    assert changes["declined"] == (False, True) and changes["variant_id"] == (shop.cola.pk, None)


def test_a_quotation_must_answer_every_line_once_with_valid_tiers(shop):
    inquiry = ask(shop)
    juice_line, crate_line = inquiry.lines.all()
    for lines in ([{"inquiry_line": juice_line.pk, "unit_price": "7"}],
                  [{"inquiry_line": juice_line.pk, "unit_price": "7"},
                   {"inquiry_line": crate_line.pk, "unit_price": "x"}],
                  [{"inquiry_line": juice_line.pk, "unit_price": "7",
                    "tiers": [{"min_qty": 100, "price": "6"}, {"min_qty": 100, "price": "5"}]},
                   {"inquiry_line": crate_line.pk, "declined": True}]):
        with pytest.raises(ApplicationError) as caught:
            services.quotation_send(actor=shop.staff.admin, inquiry=inquiry, lines=lines,
                                    valid_until=soon())
        assert caught.value.code == "invalid_lines" and caught.value.fields["lines"]
    with pytest.raises(ApplicationError) as caught:
        answer(shop, inquiry, valid_until=timezone.localdate() - timedelta(days=1))
    assert "valid_until" in caught.value.fields
    assert not Quotation.objects.exists()
    inquiry.refresh_from_db()
    assert inquiry.status == S.NEW


# --- acceptance -------------------------------------------------------------------------


def test_acceptance_places_the_order_at_exactly_the_quoted_prices_and_tier(shop):
    inquiry = ask(shop)
    quotation = answer(shop, inquiry, tiers=[{"min_qty": 100, "price": "7.00"},
                                             {"min_qty": 500, "price": "6.50"}])
    placed = accept(shop, inquiry)
    order = placed.order
    assert placed.created and order.quotation == quotation and order.number.startswith("SO-")
    juice, cola = order.lines.all()
    assert (juice.variant, juice.quantity, juice.unit_price, juice.line_total) == (
        shop.juice, 120, Decimal("7.00"), Decimal("840.00"))
    assert (cola.variant, cola.quantity, cola.unit_price, cola.line_total) == (
        shop.cola, 60, Decimal("4.00"), Decimal("240.00"))
    assert juice.price_rule == "quoted" and juice.price_note == f"Quoted price, {inquiry.number}"
    assert juice.list_price == Decimal("10.00") and not juice.price_pending
    assert (order.subtotal, order.shipping_fee, order.total) == (
        Decimal("1080.00"), Decimal("20.00"), Decimal("1100.00"))
    inquiry.refresh_from_db()
    quotation.refresh_from_db()
    assert inquiry.status == S.ACCEPTED and quotation.status == RoundStatus.ACCEPTED


def test_the_dealer_chooses_a_quantity_and_gets_that_tier(shop):
    inquiry = ask(shop)
    quotation = answer(shop, inquiry, tiers=[{"min_qty": 100, "price": "7.00"}])
    juice_quote = quotation.lines.first()
    order = accept(shop, inquiry, quantities={juice_quote.pk: 99}).order
    assert order.lines.get(variant=shop.juice).unit_price == Decimal("7.50")


def test_staff_accept_on_the_dealers_behalf(shop):
    inquiry = ask(shop)
    answer(shop, inquiry, decline_crate=True)
    order = accept(shop, inquiry, actor=shop.staff.sales).order
    assert order.on_behalf and order.placed_by == shop.staff.sales
    assert [(l.variant, l.unit_price) for l in order.lines.all()] == [
        (shop.juice, Decimal("7.50"))]


def test_a_quotation_is_accepted_once_and_a_repeated_key_returns_the_first_order(shop):
    inquiry = ask(shop)
    answer(shop, inquiry)
    first = accept(shop, inquiry, key="accept-1")
    again = accept(shop, inquiry, key="accept-1")
    assert again.order == first.order and not again.created
    with pytest.raises(ConflictError) as caught:
        accept(shop, inquiry, key="accept-2")
    assert caught.value.code == "already_accepted"
    with pytest.raises(ConflictError):
        accept(shop, inquiry, actor=shop.staff.admin)
    assert Order.objects.count() == 1


def test_a_repeated_key_with_another_request_is_refused_and_a_late_repeat_still_answers(shop):
    """As when placing an order: the same key with a different request is 422; the same
    request again returns the first order, also once the quotation's date has passed."""
    inquiry = ask(shop)
    quotation = answer(shop, inquiry)
    first = accept(shop, inquiry, key="accept-1")
    with pytest.raises(ApplicationError) as caught:
        accept(shop, inquiry, key="accept-1", remark="Another request")
    assert (caught.value.code, caught.value.status) == ("idempotency_key_reused", 422)
    Quotation.objects.filter(pk=quotation.pk).update(
        valid_until=timezone.localdate() - timedelta(days=1))
    again = accept(shop, inquiry, key="accept-1")
    assert again.order == first.order and not again.created
    assert Order.objects.count() == 1 and inquiry.events.filter(action="accept").count() == 1


def test_an_expired_quotation_is_refused_with_a_clear_message_then_expires(shop):
    inquiry = ask(shop)
    quotation = answer(shop, inquiry)
    Quotation.objects.filter(pk=quotation.pk).update(
        valid_until=timezone.localdate() - timedelta(days=1))
    with pytest.raises(ConflictError) as caught:
        accept(shop, inquiry)
    assert caught.value.code == "quotation_expired" and "expired" in caught.value.message
    assert not Order.objects.exists()
    assert services.quotations_expire() == 1
    assert services.quotations_expire() == 0  # idempotent
    inquiry.refresh_from_db()
    quotation.refresh_from_db()
    assert (inquiry.status, quotation.status) == (S.EXPIRED, RoundStatus.EXPIRED)
    assert workflow.dealer_status(inquiry.status) == DealerStatus.CLOSED
    with pytest.raises(ConflictError):
        accept(shop, inquiry)
    # staff re-quote it (a new version at current prices); that one may be accepted
    assert answer(shop, inquiry).version == 2
    assert accept(shop, inquiry).order.quotation.version == 2
    assert [q.status for q in inquiry.quotations.order_by("version")] == [
        RoundStatus.EXPIRED, RoundStatus.ACCEPTED]


def test_a_quotation_valid_today_does_not_expire(shop):
    inquiry = ask(shop)
    answer(shop, inquiry, valid_until=timezone.localdate())
    assert services.quotations_expire() == 0
    assert accept(shop, inquiry).created


def test_the_credit_check_still_applies_to_a_quoted_order(shop):
    from ordering.orders.enums import PaymentMethod
    from ordering.settings.services import settings_update

    settings_update(actor=None, credit_over_limit="refuse")
    shop.customer.credit_limit = Decimal("500")
    shop.customer.save(update_fields=["credit_limit"])
    inquiry = ask(shop)
    answer(shop, inquiry)  # 120 × 7.50 + 60 × 4.00 + 20.00 = 1,160.00 > 500
    with pytest.raises(ApplicationError) as refused:
        accept(shop, inquiry, payment_method=PaymentMethod.CREDIT)
    assert refused.value.code == "over_credit"
    assert not Order.objects.exists()
    inquiry.refresh_from_db()
    assert inquiry.status == S.QUOTED


def test_an_unmapped_free_text_line_blocks_acceptance(shop):
    inquiry = ask(shop)
    answer(shop, inquiry, map_crate=False)
    with pytest.raises(ConflictError) as caught:  # the quotation's state: 409
        accept(shop, inquiry)
    assert caught.value.code == "unresolved_lines"
    assert not Order.objects.exists()
    inquiry.refresh_from_db()
    assert inquiry.status == S.QUOTED


def test_the_expiry_task_is_fanned_out_to_every_tenant():
    entry = settings.CELERY_BEAT_SCHEDULE["quotes-expire"]
    assert entry["task"] == "tenants.tasks.fan_out_task"
    assert entry["args"] == ["ordering.quotes.tasks.quotations_expire_task"]
    from ordering.quotes.tasks import quotations_expire_task

    assert quotations_expire_task.name == entry["args"][0]


def test_withdraw_and_decline_close_the_inquiry(shop):
    first, second = ask(shop), ask(shop)
    services.inquiry_withdraw(actor=shop.dana.user, inquiry=first, reason="Not needed")
    answer(shop, second)
    services.quotation_decline(actor=shop.dana.user, inquiry=second, reason="Too dear")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (S.WITHDRAWN, S.DECLINED)
    assert second.quotations.get().status == RoundStatus.DECLINED
    assert second.events.last().reason == "Too dear"


# --- the price of a quantity ------------------------------------------------------------

PRICES = st.decimals(min_value=0, max_value=10000, places=2, allow_nan=False)


@given(base=PRICES, tiers=st.dictionaries(st.integers(2, 1000), PRICES, max_size=6),
       quantity=st.integers(1, 2000))
def test_the_price_of_a_quantity_is_the_largest_tier_not_above_it(base, tiers, quantity):
    raw = [{"min_qty": q, "price": str(p)} for q, p in tiers.items()]
    normal, error = tier_rules.validate(raw)
    assert error == ""
    below = [q for q in tiers if q <= quantity]
    expected = tiers[max(below)] if below else base
    assert tier_rules.price_for(base, normal, quantity) == expected
    assert tier_rules.price_for(base, list(reversed(normal)), quantity) == expected


# --- scope and isolation ----------------------------------------------------------------


def test_a_dealer_sees_only_its_companys_inquiries(shop):
    own = ask(shop)
    others = ask(shop, actor=shop.olga.user)
    assert list(selectors.inquiry_list(actor=shop.dana.user)) == [own]
    assert list(selectors.inquiry_list(actor=shop.viewer.user)) == [own]
    assert list(selectors.inquiry_list(actor=shop.olga.user)) == [others]
    with pytest.raises(NotFoundError):
        selectors.inquiry_detail(actor=shop.dana.user, pk=others.pk)
    with pytest.raises(NotFoundError):
        services.inquiry_withdraw(actor=shop.dana.user, inquiry=others)


def test_a_sales_rep_sees_only_their_customers_inquiries(shop):
    own = ask(shop)
    others = ask(shop, actor=shop.olga.user)
    assert list(selectors.inquiry_list(actor=shop.staff.sales)) == [own]
    assert set(selectors.inquiry_list(actor=shop.staff.admin)) == {own, others}
    assert list(selectors.inquiry_list(actor=shop.staff.warehouse)) == []
    with pytest.raises(NotFoundError):
        selectors.inquiry_detail(actor=shop.staff.sales, pk=others.pk)
    with pytest.raises(NotFoundError):
        answer(shop, others, actor=shop.staff.sales)
    assert not Quotation.objects.exists()


def test_the_list_filters_by_status_customer_and_assignee(shop):
    first, second = ask(shop), ask(shop)
    other = ask(shop, actor=shop.olga.user)
    services.inquiry_assign(actor=shop.staff.admin, inquiry=second, assignee=shop.staff.sales)
    answer(shop, first)
    admin = shop.staff.admin
    assert list(selectors.inquiry_list(actor=admin, filters={"status": "quoted"})) == [first]
    assert list(selectors.inquiry_list(actor=admin, filters={"customer": shop.other.pk})) == [
        other]
    assert list(selectors.inquiry_list(actor=admin, filters={
        "assigned_to": shop.staff.sales.pk})) == [second]
    assert list(selectors.inquiry_list(actor=shop.staff.sales, filters={
        "assigned_to": "me"})) == [second]
    assert set(selectors.inquiry_list(actor=admin, filters={"assigned_to": "none"})) == {
        first, other}
    assert list(selectors.inquiry_list(actor=shop.dana.user, filters={
        "status": "needs_answer"})) == [first]


def test_another_tenant_cannot_see_an_inquiry_by_its_id(shop, globex):
    inquiry = ask(shop)
    with tenant_context(globex):
        admin = staff_with_roles("system_administrator", email="admin@globex.example")
        assert list(selectors.inquiry_list(actor=admin)) == []
        with pytest.raises(NotFoundError):
            selectors.inquiry_detail(actor=admin, pk=inquiry.pk)


# --- query budgets ----------------------------------------------------------------------


def test_the_list_and_the_detail_keep_their_query_budgets(shop, django_assert_max_num_queries):
    inquiries = [ask(shop) for _ in range(6)]
    for inquiry in inquiries[:4]:
        answer(shop, inquiry)
    services.quotation_counter(actor=shop.dana.user, inquiry=inquiries[0], counters=[
        {"line": inquiries[0].quotations.get().lines.first().pk, "wanted_price": "7"}])
    answer(shop, inquiries[0], prices=("7.20", "4.00"))
    for actor in (shop.staff.admin, shop.staff.sales, shop.dana.user):
        actor = type(actor).objects.get(pk=actor.pk)  # nothing memoised
        with django_assert_max_num_queries(10) as listed:
            rows = list(selectors.inquiry_list(actor=actor))
            assert [(r.number, r.line_count) for r in rows][0][1] == 2
            [(r.customer.name, r.assigned_to, r.latest_version) for r in rows]
        with django_assert_max_num_queries(15) as shown:
            detail = selectors.inquiry_detail(actor=actor, pk=inquiries[0].pk)
            versions = list(detail.quotations.all())
            selectors.quotation_diff(versions[0], versions[1])
            for line in detail.lines.all():
                str(line.variant.product.name if line.variant else line.description)
            for quotation in versions:
                for line in quotation.lines.all():
                    str(line.variant.product.unit.name if line.variant else "")
                list(quotation.counters.all())
            list(detail.events.all())
        print(f"quotes queries {actor.email}: list {len(listed)}, detail {len(shown)}")
