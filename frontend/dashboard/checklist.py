"""The dashboard's first-run checklist (SPEC §2): company profile, first products,
first customers (each with a login), payment methods, workflow steps, shipping methods.

Each step is done when its data exists (``ordering.onboarding.first_run_facts``: one
query for the whole list) and links to the page that does it; the user sees the steps
their permissions let them do.
"""

from dataclasses import dataclass
from typing import Callable

from django.core.cache import cache
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ordering.onboarding import first_run_facts
from roles.permissions import has_perm


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    description: str
    url_name: str
    order: int
    done: Callable  # (tenant, facts) -> bool
    permission: str = "manage_settings"
    anchor: str = ""
    action: str = ""

    def visible(self, user):
        return has_perm(user, self.permission)


_STEPS: dict[str, Step] = {}


def register(step: Step):
    _STEPS[step.key] = step


COMPLETE_KEY = "first-run-complete"  # per tenant (the cache's keys are per schema)


def checklist_for(request):
    """The steps this user may do, each done or not. Once every step is done the
    checklist is over for good (remembered in the cache: no query on later visits)."""
    steps = [s for s in sorted(_STEPS.values(), key=lambda s: s.order)
             if s.visible(request.user)]
    if steps and cache.get(COMPLETE_KEY):
        facts = dict.fromkeys(("products", "customers", "payments", "workflow", "shipping"),
                              True)
    else:
        facts = first_run_facts() if steps else {}
        if facts and request.tenant.profile_completed and all(facts.values()):
            cache.set(COMPLETE_KEY, True, None)
    items = []
    for step in steps:
        items.append({"key": step.key, "title": step.title, "description": step.description,
                      "action": step.action,
                      "url": reverse(step.url_name) + (f"#{step.anchor}" if step.anchor else ""),
                      "done": bool(step.done(request.tenant, facts))})
    done = sum(i["done"] for i in items)
    following = next((i for i in items if not i["done"]), None)
    return {"items": items, "done": done, "total": len(items),
            "complete": bool(items) and done == len(items), "next": following}


register(Step(
    key="company-profile",
    title=_("Complete your company profile"),
    description=_("Your company name, the language your dealers see first, and your currency."),
    action=_("Edit the profile"),
    url_name="dashboard:company-profile", order=10,
    done=lambda tenant, facts: tenant.profile_completed,
))
register(Step(
    key="products",
    title=_("Add your first products"),
    description=_("Name, price, unit and opening stock on one form; add specifications "
                  "such as colour and size when a product has them."),
    action=_("Add a product"),
    url_name="dashboard:catalog-product-create", order=20, permission="manage_catalog",
    done=lambda tenant, facts: facts["products"],
))
register(Step(
    key="customers",
    title=_("Add your first customers"),
    description=_("Add a dealer and give them a login, so they can order in your shop."),
    action=_("Add a customer"),
    url_name="dashboard:customer-create", order=30, permission="manage_customers",
    done=lambda tenant, facts: facts["customers"],
))
register(Step(
    key="payments",
    title=_("Choose your payment methods"),
    description=_("Bank transfer, prepaid balance or credit: what dealers may choose at "
                  "checkout."),
    action=_("Choose payment methods"),
    url_name="dashboard:order-settings", anchor="payment-methods", order=40,
    done=lambda tenant, facts: facts["payments"],
))
register(Step(
    key="workflow",
    title=_("Set up your order workflow"),
    description=_("Which reviews an order goes through before it ships, and when stock "
                  "is reserved."),
    action=_("Set up the workflow"),
    url_name="dashboard:order-settings", order=50,
    done=lambda tenant, facts: facts["workflow"],
))
register(Step(
    key="shipping",
    title=_("Check your shipping methods and carriers"),
    description=_("Your site starts with a standard delivery and the common carriers; "
                  "set your fees and keep the carriers you use."),
    action=_("Review shipping"),
    url_name="dashboard:order-settings", anchor="shipping-methods", order=60,
    done=lambda tenant, facts: facts["shipping"],
))
