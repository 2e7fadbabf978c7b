"""Staff customer pages: list (search, filters, sorting, bulk assignment), create, detail
with contacts, addresses and ordering logins, edit, enable/disable, and customer levels.

Thin: every read through ordering.customers.selectors (scoped to the user), every
write through ordering.customers.services.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _, ngettext, pgettext
from django.views import View
from django.views.generic import TemplateView

from core.exceptions import ApplicationError
from frontend.common.forms.base import form_add_application_error
from frontend.dashboard.forms.customers import (AddressForm, BulkAssignForm, ContactForm, CustomerForm,
                                      LevelForm, LoginEditForm, LoginForm)
from frontend.common.views.base import PermissionRequiredMixin
from ordering.customers import selectors
from ordering.customers.enums import BuyerRole, CustomerStatus, PaymentTerms
from ordering.customers.services import contacts as contact_services
from ordering.customers.services import customers as customer_services
from ordering.customers.services import logins as login_services
from roles.backends import client_ip
from roles.permissions import has_perm, sees_all_customers

PAGE_SIZE = 50
FILTERS = ("q", "level", "region", "sales_rep", "status", "tag", "sort")


def _site_url(request):
    return f"{request.scheme}://{request.get_host()}"


def list_filters(request):
    """The customer-list filters in the query string (also used by export)."""
    return {key: request.GET.get(key, "") for key in FILTERS}


class CustomerListView(PermissionRequiredMixin, TemplateView):
    permission = "view_customers"
    template_name = "dashboard/customers/list.html"

    def get_context_data(self, **kwargs):
        from roles.selectors import region_tree

        user = self.request.user
        filters = list_filters(self.request)
        context = super().get_context_data(**kwargs)
        queryset = selectors.customer_list(
            actor=user, query=filters["q"], level=filters["level"], region=filters["region"],
            sales_rep=filters["sales_rep"], status=filters["status"], tag=filters["tag"],
            sort=filters["sort"] or "name")
        context["page"] = Paginator(queryset, PAGE_SIZE).get_page(self.request.GET.get("page"))
        context["filters"] = filters
        context["query_string"] = self.request.GET.urlencode()
        context["levels"] = list(selectors.level_choices())
        context["regions"] = region_tree(actor=user)
        context["sales_reps"] = list(customer_services.sales_rep_choices())
        context["statuses"] = CustomerStatus.choices
        context["tags"] = selectors.customer_tags(actor=user)
        context["sorts"] = [("name", pgettext("of a thing", "Name")), ("code", _("Code")),
                            ("-created", _("Newest"))]
        if selectors.sees_finance(user):
            context["sorts"].append(("-credit", _("Credit limit")))
        context["can_manage"] = has_perm(user, "manage_customers")
        context["pending_applications"] = selectors.pending_application_count(actor=user)
        return context


class CustomerBulkAssignView(PermissionRequiredMixin, View):
    permission = "manage_customers"

    def post(self, request):
        form = BulkAssignForm(request.POST)
        back = reverse("dashboard:customers") + (
            "?" + request.POST["next_query"] if request.POST.get("next_query") else "")
        if not form.is_valid():
            messages.error(request, _("Choose a sales rep or a level to assign."))
            return redirect(back)
        data = form.cleaned_data
        kwargs = {}
        if data["unassign"]:
            kwargs["sales_rep"] = None
        elif data["sales_rep"] is not None:
            kwargs["sales_rep"] = data["sales_rep"]
        if data["level"] is not None:
            kwargs["level"] = data["level"]
        try:
            count = customer_services.customers_bulk_assign(
                actor=request.user, customer_ids=form.customer_ids(), ip=client_ip(request),
                **kwargs)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect(back)
        messages.success(request, ngettext("%(n)d customer updated.", "%(n)d customers updated.",
                                           count) % {"n": count})
        return redirect(back)


class CustomerFormView(PermissionRequiredMixin, View):
    """Create a customer, or edit one (``pk``)."""

    permission = "manage_customers"
    template_name = "dashboard/customers/form.html"

    def _customer(self, pk):
        if pk is None:
            return None
        customer = selectors.customer_get(actor=self.request.user, pk=pk)
        if customer is None:
            raise Http404
        return customer

    def _form(self, customer, data=None):
        can_credit = has_perm(self.request.user, "manage_credit")
        initial = {"payment_terms": PaymentTerms.PREPAID}
        if customer is None:
            from ordering.customers.services.customers import default_level

            initial["level"] = default_level()
        else:
            initial = {field: getattr(customer, field) for field in customer_services.EDITABLE}
            initial["tags"] = ", ".join(customer.tags)
        return CustomerForm(data, initial=initial, creating=customer is None,
                            can_credit=can_credit,
                            hidden=selectors.customer_hidden_fields(actor=self.request.user))

    def _render(self, customer, form, status=200):
        return render(self.request, self.template_name,
                      {"customer": customer, "form": form}, status=status)

    def get(self, request, pk=None):
        customer = self._customer(pk)
        return self._render(customer, self._form(customer))

    def post(self, request, pk=None):
        customer = self._customer(pk)
        form = self._form(customer, request.POST)
        if not form.is_valid():
            return self._render(customer, form, status=400)
        values = form.service_values()
        ip = client_ip(request)
        try:
            if customer is None:
                data = form.cleaned_data
                customer = customer_services.customer_create(
                    actor=request.user, ip=ip, contact={"name": data.get("contact_name"),
                                                        "phone": data.get("contact_phone")},
                    **values)
                messages.success(request, _("Customer %(name)s added.") % {"name": customer.name})
            else:
                customer_services.customer_update(actor=request.user, customer=customer, ip=ip,
                                                  **values)
                messages.success(request, _("Saved."))
        except ApplicationError as exc:
            form_add_application_error(form, exc)
            return self._render(customer if customer and customer.pk else None, form, status=400)
        return redirect("dashboard:customer-detail", pk=customer.pk)


class CustomerDetailView(PermissionRequiredMixin, TemplateView):
    permission = "view_customers"
    template_name = "dashboard/customers/detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        customer = selectors.customer_get(actor=user, pk=self.kwargs["pk"])
        if customer is None:
            raise Http404
        context = super().get_context_data(**kwargs)
        context["customer"] = customer
        context["can_manage"] = has_perm(user, "manage_customers")
        context["sees_finance"] = selectors.sees_finance(user)
        context["contact_form"] = ContactForm()
        context["address_form"] = AddressForm()
        context["login_form"] = LoginForm(initial={"buyer_role": BuyerRole.ORDER})
        context["application"] = getattr(customer, "application", None) \
            if customer.status in (CustomerStatus.PENDING, CustomerStatus.REJECTED) else None
        return context


class _CustomerChildView(PermissionRequiredMixin, View):
    """POST-only actions on a customer the user can reach (404 otherwise)."""

    permission = "manage_customers"

    def customer(self):
        customer = selectors.customer_get(actor=self.request.user, pk=self.kwargs["pk"])
        if customer is None:
            raise Http404
        return customer

    def back(self, customer, anchor=""):
        return redirect(reverse("dashboard:customer-detail", args=[customer.pk]) + anchor)


class CustomerStatusView(_CustomerChildView):
    def post(self, request, pk):
        customer = self.customer()
        active = request.POST.get("action") == "enable"
        try:
            customer_services.customer_set_status(actor=request.user, customer=customer,
                                                  active=active, ip=client_ip(request))
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return self.back(customer)
        messages.success(request, _("Customer enabled.") if active else
                         _("Customer disabled: its logins are signed out and cannot sign in."))
        return self.back(customer)


class _SubformView(_CustomerChildView):
    """Add (no ``item``) or edit a contact, address or login on its own small page;
    ``action=delete`` (and others) come as POSTs from the detail page."""

    form_class = None
    title_new = title_edit = ""
    anchor = ""
    template_name = "dashboard/customers/subform.html"

    def item(self, customer):
        return None

    def initial(self, item):
        return {}

    def render_form(self, customer, item, form, status=200):
        return render(self.request, self.template_name, {
            "customer": customer, "item": item, "form": form,
            "title": self.title_edit if item else self.title_new}, status=status)

    def get(self, request, pk, item_pk=None):
        customer = self.customer()
        item = self.item(customer)
        return self.render_form(customer, item, self.form_class(initial=self.initial(item)))

    def post(self, request, pk, item_pk=None):
        customer = self.customer()
        item = self.item(customer)
        action = request.POST.get("action", "save")
        try:
            if action != "save":
                message = self.act(customer, item, action)
                messages.success(request, message)
                return self.back(customer, self.anchor)
            form = self.form_class(request.POST)
            if not form.is_valid():
                return self.render_form(customer, item, form, status=400)
            self.save(customer, item, form.cleaned_data)
        except ApplicationError as exc:
            if action != "save":
                messages.error(request, exc.message)
                return self.back(customer, self.anchor)
            form_add_application_error(form, exc)
            return self.render_form(customer, item, form, status=400)
        messages.success(request, _("Saved."))
        return self.back(customer, self.anchor)

    def act(self, customer, item, action):
        raise Http404


class ContactView(_SubformView):
    form_class = ContactForm
    anchor = "#contacts"

    @property
    def title_new(self):
        return _("Add contact")

    @property
    def title_edit(self):
        return _("Edit contact")

    def item(self, customer):
        if "item_pk" not in self.kwargs:
            return None
        contact = selectors.contact_get(actor=self.request.user, customer=customer,
                                        pk=self.kwargs["item_pk"])
        if contact is None:
            raise Http404
        return contact

    def initial(self, item):
        if item is None:
            return {}
        return {f: getattr(item, f) for f in ("name", "title", "phone", "email", "is_primary")}

    def save(self, customer, item, data):
        contact_services.contact_save(actor=self.request.user, customer=customer, instance=item,
                                      ip=client_ip(self.request), **data)

    def act(self, customer, item, action):
        if action == "delete" and item is not None:
            contact_services.contact_delete(actor=self.request.user, instance=item,
                                            ip=client_ip(self.request))
            return _("Contact removed.")
        raise Http404


class AddressView(_SubformView):
    form_class = AddressForm
    anchor = "#addresses"

    @property
    def title_new(self):
        return _("Add shipping address")

    @property
    def title_edit(self):
        return _("Edit shipping address")

    def item(self, customer):
        if "item_pk" not in self.kwargs:
            return None
        address = selectors.address_get(actor=self.request.user, customer=customer,
                                        pk=self.kwargs["item_pk"])
        if address is None:
            raise Http404
        return address

    def initial(self, item):
        if item is None:
            return {}
        return {f: getattr(item, f) for f in ("recipient", "phone", "region", "address",
                                              "postal_code", "is_default")}

    def save(self, customer, item, data):
        contact_services.address_save(actor=self.request.user, customer=customer, instance=item,
                                      ip=client_ip(self.request), **data)

    def act(self, customer, item, action):
        ip = client_ip(self.request)
        if item is not None and action == "delete":
            contact_services.address_delete(actor=self.request.user, address=item, ip=ip)
            return _("Address removed.")
        if item is not None and action == "default":
            contact_services.address_set_default(actor=self.request.user, address=item, ip=ip)
            return _("Default address changed.")
        raise Http404


class LoginView(_SubformView):
    anchor = "#logins"

    @property
    def title_new(self):
        return _("Add ordering login")

    @property
    def title_edit(self):
        return _("Edit ordering login")

    @property
    def form_class(self):
        return LoginEditForm if "item_pk" in self.kwargs else LoginForm

    def item(self, customer):
        if "item_pk" not in self.kwargs:
            return None
        login = selectors.login_get(actor=self.request.user, customer=customer,
                                    pk=self.kwargs["item_pk"])
        if login is None:
            raise Http404
        return login

    def initial(self, item):
        if item is None:
            return {"buyer_role": BuyerRole.ORDER}
        return {"name": item.user.name, "phone": item.user.phone, "buyer_role": item.buyer_role,
                "order_limit": item.order_limit, "is_primary": item.is_primary}

    def save(self, customer, item, data):
        ip = client_ip(self.request)
        if item is None:
            login_services.login_create(
                actor=self.request.user, customer=customer, email=data["email"],
                name=data["name"], phone=data["phone"], buyer_role=data["buyer_role"],
                order_limit=data["order_limit"], is_primary=data["is_primary"],
                password=data["password"] or None, site_url=_site_url(self.request),
                language=self.request.tenant.default_language, ip=ip)
        else:
            login_services.login_update(
                actor=self.request.user, login=item, buyer_role=data["buyer_role"],
                order_limit=data["order_limit"], is_primary=data["is_primary"] or None,
                name=data["name"], phone=data["phone"], ip=ip)

    def act(self, customer, item, action):
        ip = client_ip(self.request)
        if item is not None and action in ("disable", "enable"):
            login_services.login_set_active(actor=self.request.user, login=item,
                                            active=action == "enable", ip=ip)
            return _("Login enabled.") if action == "enable" else _(
                "Login disabled: it is signed out at once.")
        if item is not None and action == "password-link":
            login_services.login_send_password_link(actor=self.request.user, login=item,
                                                    site_url=_site_url(self.request), ip=ip)
            return _("A password link was sent to %(email)s.") % {"email": item.user.email}
        raise Http404


class LevelListView(PermissionRequiredMixin, View):
    """Customer levels: list, add, edit and delete (on one page). Everyone who sees
    customers reads the list (scoped staff: counts of their own customers); changing
    levels is pricing (``customer_services.LEVEL_PERMISSION``), also the edit form."""

    permissions = {"GET": "view_customers", "POST": customer_services.LEVEL_PERMISSION}
    template_name = "dashboard/customers/levels.html"

    def get_permission(self):
        if self.request.method == "GET" and "pk" not in self.kwargs:
            return self.permissions["GET"]
        return customer_services.LEVEL_PERMISSION  # the edit form too

    def _render(self, form, edit_form=None, editing=None, status=200):
        return render(self.request, self.template_name, {
            "levels": selectors.level_list(actor=self.request.user), "form": form,
            "edit_form": edit_form, "editing": editing,
            "can_manage": has_perm(self.request.user, customer_services.LEVEL_PERMISSION),
            "own_counts": not sees_all_customers(self.request.user)}, status=status)

    def get(self, request, pk=None):
        editing = edit_form = None
        if pk is not None:
            editing = selectors.level_get(pk=pk)
            if editing is None:
                raise Http404
            edit_form = LevelForm(initial={"name": editing.name,
                                           "price_percent": editing.price_percent,
                                           "position": editing.position,
                                           "is_default": editing.is_default})
        return self._render(LevelForm(), edit_form, editing)

    def post(self, request, pk=None):
        ip = client_ip(request)
        level = None
        if pk is not None:
            level = selectors.level_get(pk=pk)
            if level is None:
                raise Http404
        if level is not None and request.POST.get("action") == "delete":
            try:
                customer_services.level_delete(actor=request.user, level=level, ip=ip)
            except ApplicationError as exc:
                messages.error(request, exc.message)
                return redirect("dashboard:customer-levels")
            messages.success(request, _("Level deleted."))
            return redirect("dashboard:customer-levels")
        form = LevelForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if level is None:
                    customer_services.level_create(actor=request.user, ip=ip, **data)
                else:
                    customer_services.level_update(actor=request.user, level=level, ip=ip,
                                                   **data)
            except ApplicationError as exc:
                form_add_application_error(form, exc)
            else:
                messages.success(request, _("Level saved."))
                return redirect("dashboard:customer-levels")
        if level is None:
            return self._render(form, status=400)
        return self._render(LevelForm(), form, level, status=400)
