"""Dealer self-service in the shop: the dealer's own profile and company details, the
company's shipping addresses and (for the company's primary login) its ordering logins.

Thin: the dealer's login is read through ``ordering.customers.selectors`` and every
write goes through the customer and account services, which check again who may do
what (a view-only login cannot change addresses, only the primary login manages
logins, the primary cannot disable or demote itself).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _, gettext_lazy
from django.views import View

from core.exceptions import ApplicationError
from frontend.common.forms.base import form_add_application_error
from frontend.shop.forms.account import (ACCESS_INVITE, DealerProfileForm, ShopAddressForm,
                                 ShopLoginEditForm, ShopLoginForm)
from frontend.common.views.base import DealerRequiredMixin
from ordering.finance import selectors as finance_selectors
from ordering.finance.services.online import online_available
from ordering.customers import selectors
from ordering.customers.enums import BuyerRole
from ordering.customers.services import contacts as contact_services
from ordering.customers.services import logins as login_services
from roles import services as account_services
from roles.backends import client_ip

BUYER_ROLE_HELP = {
    BuyerRole.ORDER: gettext_lazy("Places orders without a limit."),
    BuyerRole.ORDER_UP_TO: gettext_lazy("Orders above the limit wait for your approval."),
    BuyerRole.VIEW_ONLY: gettext_lazy("Sees the catalog, prices and orders; cannot order."),
}


def _site_url(request):
    return f"{request.scheme}://{request.get_host()}"


def buyer_role_options(form):
    """The buyer-role radio choices with a one-line explanation each."""
    field = form["buyer_role"]
    current = str(field.value() or "")
    return [{"value": value, "label": label, "help": BUYER_ROLE_HELP.get(value, ""),
             "checked": value == current, "id": f"id_buyer_role_{index}"}
            for index, (value, label) in enumerate(BuyerRole.choices)]


class _LinkedLogin:
    """Runs after the permission check (see ``AccountMixin``'s MRO): looks up the
    dealer's login and its customer."""

    primary_only = False

    def dispatch(self, request, *args, **kwargs):
        self.dealer_login = selectors.login_for_dealer(request.user)
        if self.dealer_login is None:
            return render(request, "shop/account/not_linked.html", status=404)
        if self.primary_only and not self.dealer_login.is_primary:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class AccountMixin(DealerRequiredMixin, _LinkedLogin):
    """A signed-in dealer whose account is linked to a customer (``self.dealer_login``).

    Anonymous → sign-in page, staff → 403 (the permission mixin, first); an account
    without a customer gets a friendly 404 page; ``primary_only`` pages answer 403 to
    every login but the company's primary one.
    """

    @property
    def customer(self):
        return self.dealer_login.customer

    def context(self, **extra):
        return {"dealer_login": self.dealer_login, "customer": self.customer, **extra}


class AccountView(AccountMixin, View):
    """The dealer's own profile and the company's details (read-only)."""

    template_name = "shop/account/profile.html"

    def _form(self, data=None):
        user = self.request.user
        return DealerProfileForm(data, initial={
            "name": user.name, "phone": user.phone,
            "preferred_language": user.preferred_language or self.request.LANGUAGE_CODE})

    def _render(self, form, status=200):
        customer = self.customer
        contact = customer.contacts.filter(is_primary=True).first()
        region = customer.region
        region_label = ""
        if region is not None:
            parent = region.parent if region.parent_id else None
            region_label = f"{parent.name} › {region.name}" if parent else region.name
        invoice = [(label, value) for label, value in (
            (_("Invoice title"), customer.invoice_title), (_("Tax number"), customer.tax_number),
            (_("Bank"), customer.bank_name), (_("Bank account"), customer.bank_account),
            (_("Registered address"), customer.invoice_address),
            (_("Registered phone"), customer.invoice_phone)) if value]
        return render(self.request, self.template_name, self.context(
            form=form, contact=contact, region_label=region_label, invoice=invoice,
            address_count=customer.addresses.count(),
            balances=finance_selectors.balances(customer),
            pay_online=self.dealer_login.can_order and online_available()), status=status)

    def get(self, request):
        return self._render(self._form())

    def post(self, request):
        form = self._form(request.POST)
        if not form.is_valid():
            return self._render(form, status=400)
        try:
            account_services.user_update_profile(user=request.user, ip=client_ip(request),
                                                 **form.cleaned_data)
        except ApplicationError as exc:
            form_add_application_error(form, exc)
            return self._render(form, status=400)
        messages.success(request, _("Your profile has been saved."))
        return redirect("shop:account")


class AddressListView(AccountMixin, View):
    template_name = "shop/account/addresses.html"

    def get(self, request):
        addresses = list(self.customer.addresses.select_related("region", "region__parent"))
        return render(request, self.template_name, self.context(
            addresses=addresses, can_edit=self.dealer_login.can_order,
            max_addresses=contact_services.MAX_ADDRESSES))


class _AddressItemMixin(AccountMixin):
    """An address of the dealer's own company (another company's id → 404); changing
    addresses needs a login that may order."""

    def address(self):
        if "pk" not in self.kwargs:
            return None
        address = selectors.address_get(actor=self.request.user, customer=self.customer,
                                        pk=self.kwargs["pk"])
        if address is None:
            raise Http404
        return address

    def require_editor(self):
        if not self.dealer_login.can_order:
            raise PermissionDenied


class AddressFormView(_AddressItemMixin, View):
    """Add (no ``pk``) or edit a shipping address."""

    template_name = "shop/account/address_form.html"

    def _form(self, address, data=None):
        from roles.selectors import region_tree

        initial = {"is_default": False}
        if address is not None:
            initial = {"recipient": address.recipient, "phone": address.phone,
                       "region": address.region_id or "", "address": address.address,
                       "postal_code": address.postal_code, "is_default": address.is_default}
        return ShopAddressForm(data, initial=initial, regions=region_tree(actor=None))

    def _from_checkout(self):
        """Opened from checkout (``?next=checkout``): the new address is brought back
        to checkout, selected."""
        return (self.request.POST.get("next") or self.request.GET.get("next")) == "checkout"

    def _render(self, address, form, status=200):
        return render(self.request, self.template_name,
                      self.context(address=address, form=form,
                                   from_checkout=self._from_checkout()), status=status)

    def get(self, request, pk=None):
        address = self.address()
        self.require_editor()
        return self._render(address, self._form(address))

    def post(self, request, pk=None):
        address = self.address()
        self.require_editor()
        form = self._form(address, request.POST)
        if not form.is_valid():
            return self._render(address, form, status=400)
        try:
            saved = contact_services.address_save(actor=request.user, customer=self.customer,
                                                  instance=address, ip=client_ip(request),
                                                  **form.cleaned_data)
        except ApplicationError as exc:
            form_add_application_error(form, exc)
            return self._render(address, form, status=exc.status)
        messages.success(request, _("Address saved.") if address else _("Address added."))
        if self._from_checkout():
            return redirect(f"{reverse('shop:checkout')}?address={saved.pk}")
        return redirect("shop:addresses")


class AddressDefaultView(_AddressItemMixin, View):
    def post(self, request, pk):
        address = self.address()
        self.require_editor()
        try:
            contact_services.address_set_default(actor=request.user, address=address,
                                                 ip=client_ip(request))
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("shop:addresses")
        messages.success(request, _("Default address changed."))
        return redirect("shop:addresses")


class AddressDeleteView(_AddressItemMixin, View):
    """GET: confirm; POST: delete."""

    template_name = "shop/account/address_delete.html"

    def get(self, request, pk):
        address = self.address()
        self.require_editor()
        return render(request, self.template_name, self.context(address=address))

    def post(self, request, pk):
        address = self.address()
        self.require_editor()
        try:
            contact_services.address_delete(actor=request.user, address=address,
                                            ip=client_ip(request))
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("shop:addresses")
        messages.success(request, _("Address deleted."))
        return redirect("shop:addresses")


class LoginListView(AccountMixin, View):
    primary_only = True
    template_name = "shop/account/logins.html"

    def get(self, request):
        logins = list(selectors.dealer_logins(login=self.dealer_login).order_by(
            "-is_primary", "id"))
        return render(request, self.template_name, self.context(
            logins=logins, max_logins=login_services.MAX_LOGINS))


class _LoginItemMixin(AccountMixin):
    primary_only = True

    def item(self):
        if "pk" not in self.kwargs:
            return None
        login = selectors.login_get(actor=self.request.user, customer=self.customer,
                                    pk=self.kwargs["pk"])
        if login is None:
            raise Http404
        return login


class LoginFormView(_LoginItemMixin, View):
    """Add a login (no ``pk``) or change one's name, phone, buyer role and limit."""

    template_name = "shop/account/login_form.html"

    def _form(self, item, data=None):
        if item is None:
            return ShopLoginForm(data, initial={"buyer_role": BuyerRole.ORDER,
                                                "access": ACCESS_INVITE})
        return ShopLoginEditForm(data, initial={
            "name": item.user.name, "phone": item.user.phone, "buyer_role": item.buyer_role,
            "order_limit": item.order_limit})

    def _render(self, item, form, status=200):
        return render(self.request, self.template_name, self.context(
            item=item, form=form, buyer_roles=buyer_role_options(form),
            is_self=item is not None and item.pk == self.dealer_login.pk), status=status)

    def get(self, request, pk=None):
        item = self.item()
        return self._render(item, self._form(item))

    def post(self, request, pk=None):
        item = self.item()
        form = self._form(item, request.POST)
        if not form.is_valid():
            return self._render(item, form, status=400)
        data = form.cleaned_data
        ip = client_ip(request)
        try:
            if item is None:
                created = login_services.login_create(
                    actor=request.user, customer=self.customer, email=data["email"],
                    name=data["name"], phone=data["phone"], buyer_role=data["buyer_role"],
                    order_limit=data["order_limit"], password=data["password"] or None,
                    language=request.tenant.default_language, site_url=_site_url(request),
                    ip=ip)
            else:
                login_services.login_update(
                    actor=request.user, login=item, buyer_role=data["buyer_role"],
                    order_limit=data["order_limit"], name=data["name"], phone=data["phone"],
                    ip=ip)
        except ApplicationError as exc:
            form_add_application_error(form, exc)
            return self._render(item, form, status=exc.status)
        if item is not None:
            messages.success(request, _("Login saved."))
        elif data["password"]:
            messages.success(request, _("Login %(email)s added. Give them the initial password: "
                                        "they choose their own at the first sign-in.")
                             % {"email": created.user.email})
        else:
            messages.success(request, _("Login %(email)s added. An invitation e-mail is on its "
                                        "way.") % {"email": created.user.email})
        return redirect("shop:logins")


class LoginStatusView(_LoginItemMixin, View):
    """POST ``action=disable|enable``."""

    def post(self, request, pk):
        item = self.item()
        action = request.POST.get("action")
        if action not in ("disable", "enable"):
            messages.error(request, _("Unknown action."))
            return redirect("shop:logins")
        try:
            login_services.login_set_active(actor=request.user, login=item,
                                            active=action == "enable", ip=client_ip(request))
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("shop:logins")
        if action == "enable":
            messages.success(request, _("%(email)s can sign in again.")
                             % {"email": item.user.email})
        else:
            messages.success(request, _("%(email)s is disabled and signed out.")
                             % {"email": item.user.email})
        return redirect("shop:logins")


class LoginPasswordLinkView(_LoginItemMixin, View):
    def post(self, request, pk):
        item = self.item()
        try:
            login_services.login_send_password_link(actor=request.user, login=item,
                                                    site_url=_site_url(request),
                                                    ip=client_ip(request))
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("shop:logins")
        messages.success(request, _("A password link was sent to %(email)s.")
                         % {"email": item.user.email})
        return redirect("shop:logins")
