"""Data scoping: regional managers see their regions (and sub-regions); users with
access_all_customers see everything; the mechanism is generic over a region path."""

from guardian.shortcuts import assign_perm

from roles.models import Region
from roles.permissions import (can_reach, forget_permissions, has_perm, scope, scope_q,
                               scoped_region_ids)
from roles.services.regions import region_create
from tests.factories.roles import staff_with_roles


def _tree():
    gd = region_create(actor=None, name="Guangdong")
    gz = region_create(actor=None, name="Guangzhou", parent=gd)
    tianhe = region_create(actor=None, name="Tianhe", parent=gz)
    zj = region_create(actor=None, name="Zhejiang")
    hz = region_create(actor=None, name="Hangzhou", parent=zj)
    return gd, gz, tianhe, zj, hz


def test_regional_manager_sees_exactly_their_regions_and_below(in_acme):
    gd, gz, tianhe, zj, hz = _tree()
    manager = staff_with_roles("regional_manager")
    assign_perm("roles.work_in_region", manager, gd)
    assert scoped_region_ids(manager) == {gd.pk, gz.pk, tianhe.pk}
    visible = set(scope(manager, Region.objects.all()).values_list("pk", flat=True))
    assert visible == {gd.pk, gz.pk, tianhe.pk}
    assert can_reach(manager, tianhe) and not can_reach(manager, hz)
    assert has_perm(manager, "view_customers", obj=gz)
    assert not has_perm(manager, "view_customers", obj=zj)


def test_a_sub_region_grant_does_not_open_the_parent(in_acme):
    gd, gz, tianhe, zj, hz = _tree()
    manager = staff_with_roles("regional_manager")
    assign_perm("roles.work_in_region", manager, gz)
    assert set(scope(manager, Region.objects.all()).values_list("pk", flat=True)) == {
        gz.pk, tianhe.pk}


def test_scoped_user_without_grants_sees_nothing(in_acme):
    _tree()
    rep = staff_with_roles("sales_rep")
    assert not scope(rep, Region.objects.all()).exists()


def test_access_all_customers_sees_everything_even_with_a_scoped_role(in_acme):
    regions = _tree()
    both = staff_with_roles("regional_manager", "order_reviewer")  # union: unscoped
    assert scope(both, Region.objects.all()).count() == len(regions)
    assert scope_q(both, region_path="pk").children == []


def test_scope_follows_any_region_path(in_acme):
    """Things that belong to a customer declare their path (orders: customer__region)."""
    gd, gz, *_ = _tree()
    manager = staff_with_roles("regional_manager")
    assign_perm("roles.work_in_region", manager, gd)
    query = scope_q(manager, region_path="customer__region")
    assert str(query).startswith("(AND: ('customer__region__in'")


def test_dealers_and_disabled_staff_are_scoped_to_nothing(in_acme):
    from tests.factories import DealerFactory

    _tree()
    assert not Region.objects.filter(scope_q(DealerFactory(), region_path="pk")).exists()
    lead = staff_with_roles("business_lead", is_active=False)
    assert not Region.objects.filter(scope_q(lead, region_path="pk")).exists()


def test_assigned_objects_join_the_regional_scope(in_acme):
    """Sales reps: objects assigned by a guardian grant are visible besides their regions.
    (The customers issue declares ``scope_assigned = ("customers.work_with_customer",
    Customer)``; here regions stand in for the assigned model.)"""
    gd, gz, tianhe, zj, hz = _tree()
    rep = staff_with_roles("sales_rep")
    assign_perm("roles.work_in_region", rep, hz)  # "assigned" object
    query = scope_q(rep, region_path="parent", assigned=("roles.work_in_region", Region))
    visible = set(Region.objects.filter(query).values_list("pk", flat=True))
    # hz itself (assigned) and every region whose parent is in the rep's regions (hz)
    assert visible == {hz.pk}
    assign_perm("roles.work_in_region", rep, gd)
    forget_permissions(rep)  # what staff_update does: the memo lives for one request
    query = scope_q(rep, region_path="parent", assigned=("roles.work_in_region", Region))
    visible = set(Region.objects.filter(query).values_list("pk", flat=True))
    assert visible == {hz.pk, gd.pk, gz.pk, tianhe.pk}


def test_a_reach_proved_once_is_remembered_on_the_object_and_a_refusal_is_not(
        acme, in_acme, django_assert_num_queries):
    """``can_reach`` asks the database once per object and user when the answer is yes
    (or when the object was read through the user's scope: ``reached``)."""
    from ordering.customers.services.customers import customer_create
    from roles.permissions import can_reach, forget_permissions, reached
    from tests.factories.roles import staff_with_roles

    rep = staff_with_roles("sales_rep", email="reach-rep@acme.example")
    mine = customer_create(actor=None, name="Reach Mine", sales_rep=rep)
    other = customer_create(actor=None, name="Reach Other")
    forget_permissions(rep)
    can_reach(rep, mine)  # the permissions and regions are memoised on the user
    fresh = type(mine).objects.get(pk=mine.pk)
    with django_assert_num_queries(1):
        assert can_reach(rep, fresh) and can_reach(rep, fresh)
    with django_assert_num_queries(2):
        assert not can_reach(rep, other) and not can_reach(rep, other)
    read_in_scope = reached(rep, type(mine).objects.get(pk=mine.pk))
    with django_assert_num_queries(0):
        assert can_reach(rep, read_in_scope)
