"""The dashboard's first-run checklist.

Each feature registers the step it owns (易订货's order: company profile, then
customers, then products, then orders); the dashboard shows them in order.
"""

from dataclasses import dataclass
from typing import Callable

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from roles.permissions import has_perm


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    description: str
    url_name: str
    order: int
    done: Callable
    visible: Callable = lambda user: has_perm(user, "manage_settings")


_STEPS: dict[str, Step] = {}


def register(step: Step):
    _STEPS[step.key] = step


def checklist_for(request):
    items = []
    for step in sorted(_STEPS.values(), key=lambda s: s.order):
        if not step.visible(request.user):
            continue
        items.append({"title": step.title, "description": step.description,
                      "url": reverse(step.url_name), "done": bool(step.done(request))})
    return {"items": items, "done": sum(i["done"] for i in items), "total": len(items)}


register(Step(
    key="company-profile",
    title=_("Complete your company profile"),
    description=_("Your company name, the language your dealers see first, and your currency."),
    url_name="dashboard:company-profile",
    order=10,
    done=lambda request: request.tenant.profile_completed,
))
