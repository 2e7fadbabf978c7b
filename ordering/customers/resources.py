"""Spreadsheet columns of customers, contacts and shipping addresses.

The django-import-export resources below are the one definition of the columns: the
export (``Resource.export(queryset)``), the empty import templates (the same resource
exporting no rows) and the headers the import recognises (``header_keys``) all come
from them. Headers are translated when exported; the import accepts the English and
the Chinese header, the field's key and a few common synonyms.

The file formats (size limits, encodings, formula-safe export) are shared with the
catalog: ``ordering.spreadsheets``.
"""

import re
from collections import defaultdict

from django.utils.translation import gettext, gettext_lazy as _
from import_export.fields import Field

from ordering.spreadsheets import SheetResource, yes_no_render

KINDS = ("customers", "contacts", "addresses")
KIND_LABELS = {"customers": _("Customers"), "contacts": _("Contacts"),
               "addresses": _("Shipping addresses")}

# --- regions -----------------------------------------------------------------------

REGION_SEPARATORS = re.compile(r"\s*[/／›>]\s*")


class RegionIndex:
    """Every region in one query: the full path of each (``Province/City``) for the
    export, and name or path look-ups for the import."""

    def __init__(self):
        from roles.models import Region

        self.by_pk = {region.pk: region for region in Region.objects.all()}
        self._by_name = defaultdict(list)
        for region in self.by_pk.values():
            self._by_name[region.name.casefold()].append(region)

    def chain(self, region):
        names, seen = [], set()
        while region is not None and region.pk not in seen and len(names) < 20:
            seen.add(region.pk)
            names.append(region.name)
            region = self.by_pk.get(region.parent_id)
        return names[::-1]

    def path(self, region_id):
        region = self.by_pk.get(region_id)
        return "/".join(self.chain(region)) if region is not None else ""

    def resolve(self, text):
        """The region written as ``City`` or ``Province/City`` (any tail of its path).
        Raises ``LookupError`` with a message for the user."""
        parts = [part for part in REGION_SEPARATORS.split(text.strip()) if part]
        if not parts:
            raise LookupError(gettext("Enter a region."))
        wanted = [part.casefold() for part in parts]
        found = [region for region in self._by_name.get(wanted[-1], [])
                 if [n.casefold() for n in self.chain(region)][-len(wanted):] == wanted]
        if len(found) == 1:
            return found[0]
        if not found:
            raise LookupError(gettext("Unknown region “%(name)s”.") % {"name": text.strip()})
        raise LookupError(gettext("Several regions are called “%(name)s”: write it as "
                                  "Province/City.") % {"name": text.strip()})


# --- resources ---------------------------------------------------------------------


class _SheetResource(SheetResource):
    """Shared by the three resources: the region index, loaded once per export.
    ``hidden``: columns left out (the fields the user may not read,
    ``selectors.customer_hidden_fields``)."""

    def __init__(self, *, hidden=(), **kwargs):
        super().__init__(**kwargs)
        self.regions = None
        self.hidden = frozenset(hidden)

    def get_export_fields(self, selected_fields=None):
        return [field for field in super().get_export_fields(selected_fields)
                if self.get_field_name(field) not in self.hidden]

    @property
    def aliases(self):
        return ALIASES[self.kind]

    def before_export(self, queryset, **kwargs):
        if self.regions is None:
            self.regions = RegionIndex()


def _column(attribute, label, **kwargs):
    return Field(attribute=attribute, column_name=label, **kwargs)


class CustomerResource(_SheetResource):
    kind = "customers"
    key_column = "code"
    required = ("name",)

    code = _column("code", _("Customer code"))
    name = _column("name", _("Company name"))
    phone = _column("phone", _("Phone"))
    email = _column("email", _("E-mail"))
    region = _column("region", _("Region"))
    level = _column("level", _("Customer level"))
    sales_rep = _column("sales_rep", _("Sales rep (e-mail)"))
    credit_limit = _column("credit_limit", _("Credit limit"))
    payment_terms = _column("payment_terms", _("Payment terms"))
    payment_days = _column("payment_days", _("Credit days"))
    status = _column("status", _("Status"))
    tags = _column("tags", _("Tags"))
    notes = _column("notes", _("Notes"))
    invoice_title = _column("invoice_title", _("Invoice title"))
    tax_number = _column("tax_number", _("Tax number"))
    bank_name = _column("bank_name", _("Bank"))
    bank_account = _column("bank_account", _("Bank account"))
    invoice_address = _column("invoice_address", _("Registered address"))
    invoice_phone = _column("invoice_phone", _("Registered phone"))

    class Meta(SheetResource.Meta):
        export_order = ("code", "name", "phone", "email", "region", "level", "sales_rep",
                        "credit_limit", "payment_terms", "payment_days", "status", "tags",
                        "notes", "invoice_title", "tax_number", "bank_name", "bank_account",
                        "invoice_address", "invoice_phone")

    def dehydrate_region(self, customer):
        return self.regions.path(customer.region_id)

    def dehydrate_level(self, customer):
        return customer.level.name if customer.level_id else ""

    def dehydrate_sales_rep(self, customer):
        return customer.sales_rep.email if customer.sales_rep_id else ""

    def dehydrate_credit_limit(self, customer):
        return customer.credit_limit

    def dehydrate_payment_terms(self, customer):
        return customer.get_payment_terms_display()

    def dehydrate_payment_days(self, customer):
        return customer.payment_days

    def dehydrate_status(self, customer):
        return customer.get_status_display()

    def dehydrate_tags(self, customer):
        return ", ".join(customer.tags or [])


class ContactResource(_SheetResource):
    kind = "contacts"
    key_column = "customer_code"
    required = ("customer_code", "name")

    customer_code = _column("customer__code", _("Customer code"))
    name = _column("name", _("Contact name"))
    title = _column("title", _("Position"))
    phone = _column("phone", _("Phone"))
    email = _column("email", _("E-mail"))
    is_primary = _column("is_primary", _("Primary contact"))

    class Meta(SheetResource.Meta):
        export_order = ("customer_code", "name", "title", "phone", "email", "is_primary")

    def dehydrate_is_primary(self, contact):
        return yes_no_render(contact.is_primary)


class AddressResource(_SheetResource):
    kind = "addresses"
    key_column = "customer_code"
    required = ("customer_code", "recipient", "phone", "address")

    customer_code = _column("customer__code", _("Customer code"))
    recipient = _column("recipient", _("Recipient"))
    phone = _column("phone", _("Phone"))
    region = _column("region", _("Region"))
    address = _column("address", _("Address"))
    postal_code = _column("postal_code", _("Postal code"))
    is_default = _column("is_default", _("Default address"))

    class Meta(SheetResource.Meta):
        export_order = ("customer_code", "recipient", "phone", "region", "address",
                        "postal_code", "is_default")

    def dehydrate_region(self, address):
        return self.regions.path(address.region_id)

    def dehydrate_is_default(self, address):
        return yes_no_render(address.is_default)


RESOURCES = {"customers": CustomerResource, "contacts": ContactResource,
             "addresses": AddressResource}


def resource_for(kind, *, hidden=()):
    return RESOURCES[kind](hidden=hidden)


# What each column takes, shown next to the upload form.
COLUMN_HELP = {
    "customers": {
        "code": _("Matches an existing customer (any case) to update it. Empty: a new "
                  "customer with a generated code."),
        "name": _("Required for a new customer."),
        "region": _("The region's name; write Province/City when two regions share a name."),
        "level": _("The level's name. Empty: the default level."),
        "sales_rep": _("The staff member's e-mail address."),
        "credit_limit": _("An amount of 0 or more; needs the credit permission."),
        "payment_terms": _("Payment before shipment, payment on delivery or on account "
                           "(prepaid, on_delivery, credit)."),
        "payment_days": _("0 to 365; needs the credit permission."),
        "status": _("Exported only: imported customers are active."),
        "tags": _("Separated by commas."),
    },
    "contacts": {
        "customer_code": _("The customer the contact belongs to."),
        "name": _("Required. A contact with the same name at the customer is updated."),
        "is_primary": _("Yes or no."),
    },
    "addresses": {
        "customer_code": _("The customer the address belongs to."),
        "recipient": _("Required. An address with the same recipient and address is updated."),
        "phone": _("Required for a new address."),
        "region": _("The region's name; write Province/City when two regions share a name."),
        "address": _("Required."),
        "is_default": _("Yes or no."),
    },
}

# Headers other spreadsheets (and people) commonly use, accepted on import besides
# the English and Chinese headers of the export.
ALIASES = {
    "customers": {
        "code": ("code", "客户编码", "客户代码", "客户编号", "编码", "编号", "代码"),
        "name": ("customer name", "company", "name", "客户名称", "公司名称", "企业名称",
                 "客户", "名称"),
        "phone": ("telephone", "tel", "mobile", "电话", "手机", "联系电话", "手机号"),
        "email": ("mail", "邮箱", "电子邮件", "电子邮箱", "邮件"),
        "region": ("area", "province/city", "区域", "地区", "所在地区", "省市"),
        "level": ("level", "客户级别", "客户等级", "级别", "等级"),
        "sales_rep": ("sales rep", "salesperson", "业务员", "业务员邮箱", "销售代表",
                      "销售"),
        "credit_limit": ("credit", "信用额度", "授信额度", "额度"),
        "payment_terms": ("terms", "结算方式", "付款方式", "付款条件"),
        "payment_days": ("payment days", "账期", "账期天数", "信用天数"),
        "status": ("状态",),
        "tags": ("tag", "标签"),
        "notes": ("note", "remarks", "备注"),
        "invoice_title": ("发票抬头", "开票名称"),
        "tax_number": ("tax id", "vat number", "税号", "纳税人识别号"),
        "bank_name": ("bank name", "开户行", "开户银行", "银行"),
        "bank_account": ("account number", "银行账号", "账号"),
        "invoice_address": ("invoice address", "注册地址", "开票地址"),
        "invoice_phone": ("invoice phone", "注册电话", "开票电话"),
    },
    "contacts": {
        "customer_code": ("code", "customer", "客户编码", "客户代码", "客户编号", "编码"),
        "name": ("name", "contact", "姓名", "联系人", "联系人姓名"),
        "title": ("title", "job title", "职位", "职务"),
        "phone": ("telephone", "tel", "mobile", "电话", "手机", "联系电话", "手机号"),
        "email": ("mail", "邮箱", "电子邮件", "电子邮箱"),
        "is_primary": ("primary", "主联系人", "是否主联系人", "首要联系人"),
    },
    "addresses": {
        "customer_code": ("code", "customer", "客户编码", "客户代码", "客户编号", "编码"),
        "recipient": ("name", "contact", "收货人", "收件人"),
        "phone": ("telephone", "tel", "mobile", "电话", "手机", "收货人电话", "联系电话"),
        "region": ("area", "区域", "地区", "省市"),
        "address": ("street", "地址", "详细地址", "收货地址"),
        "postal_code": ("postcode", "zip", "zip code", "邮编", "邮政编码"),
        "is_default": ("default", "默认", "默认地址", "是否默认"),
    },
}


def header_keys(kind):
    """Normalised header → column key, in English, in Chinese and the aliases."""
    return resource_for(kind).header_keys()
