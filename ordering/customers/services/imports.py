"""Import customers, contacts and shipping addresses from Excel (.xlsx) or CSV, and
export them.

The import runs in two steps with the same code: a *dry run* that validates every row
and rolls back, then — only when every row is valid and the user confirms — the real
import in one transaction, all or nothing, recorded as one ``customer.import`` audit
entry with its counts.

Why the rows are not written by ``ModelResource.import_data``: django-import-export
saves model instances itself (``Resource.save_instance`` → ``instance.save()``),
which would bypass the services that hold the business rules — data scoping (a
regional manager cannot create or update customers outside their regions, an
out-of-scope code reads as "no such customer"), the credit permission rule, code
generation, the sales-rep grants and the per-change audit log. So django-import-export
does what it is good at — reading and writing the formats (``XLSX``/``CSV`` →
``tablib.Dataset``, see ``ordering.spreadsheets``) and the export
(``Resource.export``) — while this module's importers drive the rows: each row is parsed
into the keyword arguments of ``customer_create`` / ``customer_update`` /
``contact_save`` / ``address_save`` and written by that service inside a savepoint.
Cell problems found while parsing and every ``ApplicationError`` a service raises
become row errors (spreadsheet row number — the header is row 1 —, column, message).
Because the dry run really calls the services (then rolls back), it finds exactly
what the real import would: unique codes, scope, the credit rule.

The reading limits, the row driver and the background jobs are shared with the
catalog import (``ordering.spreadsheets``); this module holds what is the customers'
own: which service each row calls and how its cells are parsed.

Empty cells leave an existing customer's, contact's or address's value unchanged;
the *status* column is only exported (an imported customer is active).
"""

import re
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models.functions import Lower
from django.utils import timezone, translation
from django.utils.translation import gettext as _, gettext_lazy

from core.exceptions import ApplicationError
from ordering.customers.exceptions import CustomerError
from ordering import spreadsheets
from ordering.customers.enums import PaymentTerms
from ordering.customers.models import Address, Contact, Customer, CustomerLevel
from ordering.customers.resources import (KIND_LABELS, KINDS, AddressResource,
                                          ContactResource, CustomerResource, RegionIndex,
                                          resource_for)
from ordering.customers.services.contacts import address_save, contact_save
from ordering.customers.services.customers import (clean_tags, customer_create,
                                                   customer_update)
from ordering.customers.services.guards import require_perm
from ordering.spreadsheets import (FORMATS, STASH_DIR, ImportFileError, ImportResult,
                                   RowError, RowImporter, upload_purge)
from roles.enums import UserKind
from roles.permissions import scope
from roles.services.audit import audit_record

__all__ = ["ImportFileError", "ImportResult", "RowError", "STASH_DIR", "upload_purge",
           "read_file", "import_rows", "import_file", "job_start", "job_get", "job_confirm",
           "job_run", "job_finish", "export_file", "template_file"]

MAX_ROWS = 5000
CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")
JOB_STALE_AFTER = timedelta(minutes=30)  # a running job silent for longer has failed


# --- reading the file --------------------------------------------------------------


def read_file(*, content, extension):
    """The file's first sheet as a ``tablib.Dataset`` (headers + rows as read), or
    ``ImportFileError`` with a message for the user."""
    return spreadsheets.read_file(content=content, extension=extension, max_rows=MAX_ROWS)


def map_columns(kind, headers):
    """Column index → key for the recognised headers; the headers it ignores; key →
    header as written. Refuses a file without the columns a row needs."""
    resource = resource_for(kind)
    mapping, ignored, seen = spreadsheets.map_columns(resource, headers)
    spreadsheets.require_columns(resource, IMPORTERS[kind].missing_columns(seen))
    return mapping, ignored, seen


# --- the rows ----------------------------------------------------------------------


class _Importer(RowImporter):
    """Parses every row first (look-ups in bulk), then writes the valid ones through
    the services, one savepoint each (``ordering.spreadsheets.import_dataset``)."""

    text_fields = ()

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.regions = RegionIndex()

    def clean_email(self, row, key="email"):
        if row.has(key) and key in row.values:
            row.values[key] = row.values[key].lower()
            try:
                validate_email(row.values[key])
            except ValidationError:
                row.error(key, _("“%(value)s” is not a valid e-mail address.")
                          % {"value": row.text(key)})

    def clean_region(self, row, key="region"):
        if row.has(key):
            try:
                row.values[key] = self.regions.resolve(row.text(key))
            except LookupError as exc:
                row.error(key, str(exc))

    def customers_by_code(self, rows, key):
        """Existing customers named in the rows (one query), and which the actor reaches."""
        codes = {row.text(key).casefold() for row in rows if row.text(key)}
        found = {}
        for customer in Customer.objects.annotate(code_ci=Lower("code")).filter(
                code_ci__in=[code.lower() for code in codes]).select_related("region"):
            found[customer.code.casefold()] = customer
        ids = [customer.pk for customer in found.values()]
        if self.actor is None:
            return found, set(ids)
        reachable = set(scope(self.actor, Customer.objects.filter(pk__in=ids))
                        .values_list("pk", flat=True)) if ids else set()
        return found, reachable


class CustomerImporter(_Importer):
    model = Customer
    key_column = "code"
    resource_class = CustomerResource
    text_fields = ("name", "phone", "email", "notes", "invoice_title", "tax_number",
                   "bank_name", "bank_account", "invoice_address", "invoice_phone")

    @classmethod
    def missing_columns(cls, seen):
        return [] if {"code", "name"} & set(seen) else ["name"]

    def prepare(self, rows):
        self.existing, self.reachable = self.customers_by_code(rows, "code")
        self.levels = {level.name.casefold(): level for level in CustomerLevel.objects.all()}
        emails = {row.text("sales_rep").lower() for row in rows if row.text("sales_rep")}
        self.reps = {user.email.lower(): user for user in get_user_model().objects.annotate(
            email_ci=Lower("email")).filter(email_ci__in=emails, kind=UserKind.STAFF)
        } if emails else {}
        self.terms = {}
        for value, label in PaymentTerms.choices:
            self.terms[value.casefold()] = value
            for language in ("en", "zh-hans"):
                with translation.override(language):
                    self.terms[str(label).casefold()] = value
        self.terms.update({"款到发货": PaymentTerms.PREPAID, "先款后货": PaymentTerms.PREPAID,
                           "预付": PaymentTerms.PREPAID, "货到付款": PaymentTerms.ON_DELIVERY,
                           "账期": PaymentTerms.CREDIT, "月结": PaymentTerms.CREDIT,
                           "赊账": PaymentTerms.CREDIT, "on account": PaymentTerms.CREDIT})
        self.seen_codes = {}

    def parse(self, row):
        code = row.text("code")
        row.customer = self.existing.get(code.casefold()) if code else None
        if code:
            first = self.seen_codes.setdefault(code.casefold(), row.number)
            if first != row.number:
                row.error("code", _("The code “%(code)s” is also in row %(row)d.")
                          % {"code": code, "row": first})
            elif row.customer is not None and row.customer.pk not in self.reachable:
                row.error("code", _("No such customer."))
            elif row.customer is None:
                if not CODE_PATTERN.match(code):
                    row.error("code", _("Use letters, digits, dots, dashes or underscores "
                                        "(at most 32)."))
                else:
                    row.values["code"] = code
        self.clean_texts(row, self.text_fields)
        if row.customer is None and not row.values.get("name"):
            row.error("name", _("Enter the customer's name."))
        self.clean_email(row)
        self.clean_region(row)
        if row.has("level"):
            level = self.levels.get(row.text("level").casefold())
            if level is None:
                names = ", ".join(level.name for level in list(self.levels.values())[:10])
                row.error("level", _("Unknown customer level “%(name)s” (levels: %(names)s).")
                          % {"name": row.text("level"), "names": names or "—"})
            else:
                row.values["level"] = level
        if row.has("sales_rep"):
            rep = self.reps.get(row.text("sales_rep").lower())
            if rep is None:
                row.error("sales_rep", _("No staff member has the e-mail “%(email)s”.")
                          % {"email": row.text("sales_rep")})
            elif not rep.is_active:
                row.error("sales_rep", _("%(email)s is disabled.") % {"email": rep.email})
            else:
                row.values["sales_rep"] = rep
        if row.has("credit_limit"):
            raw = re.sub(r"[\s,，¥￥]", "", row.text("credit_limit"))
            try:
                amount = Decimal(raw)
            except InvalidOperation:
                amount = None
            if amount is None or not amount.is_finite():
                row.error("credit_limit", _("Enter an amount."))
            elif amount < 0 or amount >= Decimal("1e12"):
                row.error("credit_limit", _("Enter an amount of 0 or more."))
            else:
                row.values["credit_limit"] = amount.quantize(Decimal("0.01"))
        if row.has("payment_terms"):
            terms = self.terms.get(row.text("payment_terms").casefold())
            if terms is None:
                row.error("payment_terms", _("Unknown payment terms “%(value)s”.")
                          % {"value": row.text("payment_terms")})
            else:
                row.values["payment_terms"] = terms
        if row.has("payment_days"):
            raw = row.text("payment_days")
            if not (raw.isascii() and raw.isdecimal()) or not 0 <= int(raw) <= 365:
                row.error("payment_days", _("Enter 0 to 365 days."))
            else:
                row.values["payment_days"] = int(raw)
        if row.has("tags"):
            try:
                row.values["tags"] = clean_tags(row.text("tags"))
            except ApplicationError as exc:
                row.error("tags", exc.message)

    def write(self, row):
        if row.customer is not None:
            customer_update(actor=self.actor, customer=row.customer, ip=self.ip, **row.values)
            return "updated"
        customer = customer_create(actor=self.actor, ip=self.ip, **row.values)
        self.existing[customer.code.casefold()] = customer
        return "created"


class _ChildImporter(_Importer):
    """Contacts and addresses: rows name their customer by code."""

    key_column = "customer_code"
    key_fields = ()

    def prepare(self, rows):
        self.customers, self.reachable = self.customers_by_code(rows, "customer_code")
        self.children = {}
        for child in self.model.objects.filter(
                customer__in=[c.pk for c in self.customers.values()]).order_by("id"):
            self.children.setdefault(self.match_key(child.customer_id, child), child)
        self.seen, self.flagged = {}, {}

    def parse(self, row):
        code = row.text("customer_code")
        row.customer = self.customers.get(code.casefold()) if code else None
        if not code:
            row.error("customer_code", _("Enter the customer code."))
        elif row.customer is None or row.customer.pk not in self.reachable:
            row.error("customer_code", _("No such customer."))
            row.customer = None
        self.clean_texts(row, self.text_fields)
        self.parse_fields(row)
        row.existing = None
        if row.customer is None or not all(row.values.get(k) for k in self.key_fields):
            return
        key = self.match_key(row.customer.pk, row.values)
        first = self.seen.setdefault(key, row.number)
        if first != row.number:
            row.error(self.key_fields[0], self.duplicate_message % {"row": first})
        row.existing = self.children.get(key)
        self.check_new(row)
        flag = self.flag
        if row.values.get(flag):
            other = self.flagged.setdefault(row.customer.pk, row.number)
            if other != row.number:
                row.error(flag, self.flag_message % {"row": other})

    def check_new(self, row):
        pass

    def merged(self, row):
        """The service's values: the existing record's, overwritten by non-empty cells."""
        values = {}
        if row.existing is not None:
            for key in self.all_fields:
                values[key] = (self.regions.by_pk.get(row.existing.region_id)
                               if key == "region" else getattr(row.existing, key))
        values.update({k: v for k, v in row.values.items() if k in self.all_fields})
        return values


class ContactImporter(_ChildImporter):
    model = Contact
    resource_class = ContactResource
    text_fields = ("name", "title", "phone", "email")
    all_fields = text_fields
    key_fields = ("name",)
    flag = "is_primary"

    @property
    def duplicate_message(self):
        return _("This customer has a contact with this name in row %(row)d too.")

    @property
    def flag_message(self):
        return _("Row %(row)d is already this customer's primary contact.")

    @staticmethod
    def match_key(customer_id, source):
        name = source["name"] if isinstance(source, dict) else source.name
        return customer_id, " ".join(name.split()).casefold()

    def parse_fields(self, row):
        if not row.values.get("name"):
            row.error("name", _("Enter the contact's name."))
        self.clean_email(row)
        self.clean_yes_no(row, "is_primary")

    def write(self, row):
        is_primary = row.values.get("is_primary", False)
        contact_save(actor=self.actor, customer=row.customer, instance=row.existing,
                     is_primary=is_primary, ip=self.ip, **self.merged(row))
        return "updated" if row.existing is not None else "created"


class AddressImporter(_ChildImporter):
    model = Address
    resource_class = AddressResource
    text_fields = ("recipient", "phone", "address", "postal_code")
    all_fields = text_fields + ("region",)
    key_fields = ("recipient", "address")
    flag = "is_default"

    @property
    def duplicate_message(self):
        return _("The same recipient and address are in row %(row)d too.")

    @property
    def flag_message(self):
        return _("Row %(row)d is already this customer's default address.")

    @staticmethod
    def match_key(customer_id, source):
        get = source.get if isinstance(source, dict) else lambda k: getattr(source, k)
        return (customer_id, " ".join(get("recipient").split()).casefold(),
                " ".join(get("address").split()).casefold())

    def parse_fields(self, row):
        if not row.values.get("recipient"):
            row.error("recipient", _("Enter the recipient's name."))
        if not row.values.get("address"):
            row.error("address", _("Enter the address."))
        self.clean_region(row)
        self.clean_yes_no(row, "is_default")

    def check_new(self, row):
        if row.existing is None and not row.values.get("phone"):
            row.error("phone", _("Enter the recipient's phone."))

    def write(self, row):
        address_save(actor=self.actor, customer=row.customer, instance=row.existing,
                     is_default=row.values.get("is_default", False), ip=self.ip,
                     **self.merged(row))
        return "updated" if row.existing is not None else "created"


IMPORTERS = {"customers": CustomerImporter, "contacts": ContactImporter,
             "addresses": AddressImporter}


def import_rows(*, actor, kind, dataset, filename="", dry_run=True, ip=None):
    """Validate (``dry_run``) or import the dataset's rows; see the module docstring.

    Returns an ``ImportResult``: with errors nothing was written; a dry run never
    writes. Raises ``ImportFileError`` when the columns cannot be used at all."""
    require_perm(actor, "manage_customers")
    if kind not in KINDS:
        raise ImportFileError(_("Choose what to import."))
    return spreadsheets.import_dataset(
        importer_class=IMPORTERS[kind], actor=actor, kind=kind, dataset=dataset,
        filename=filename, dry_run=dry_run, ip=ip, audit_action="customer.import",
        label="customer import")


def import_file(*, actor, kind, content, extension, filename="", dry_run=True, ip=None):
    """``read_file`` then ``import_rows``."""
    require_perm(actor, "manage_customers")
    dataset = read_file(content=content, extension=extension)
    return import_rows(actor=actor, kind=kind, dataset=dataset, filename=filename,
                       dry_run=dry_run, ip=ip)


# --- import jobs: the check and the import run in the background ------------------
#
# Every row goes through the services (about 10–15 ms a row), so a 5000-row file takes
# longer than a web request may: ``ordering.spreadsheets.ImportJobs`` keeps the upload
# and runs the check and the import in ``customer_import_task``.


def _authorise(actor, kind):
    require_perm(actor, "manage_customers")


def _check(kind, dataset):
    map_columns(kind, [str(h or "") for h in (dataset.headers or [])])


JOBS = spreadsheets.ImportJobs(
    app="customers", kinds=KINDS, task="ordering.customers.tasks.customer_import_task",
    authorise=_authorise, check=_check, max_rows=MAX_ROWS,
    import_file=lambda **kwargs: import_file(**kwargs),
    stale_after=lambda: JOB_STALE_AFTER,
    no_longer_allowed=gettext_lazy("Your account can no longer import customers."))


def job_start(*, actor, kind, content, extension, filename="", language="", ip=None):
    """Check the file as a whole now (type, size, encoding, columns: errors for the
    form), keep it, and start the dry run of its rows. Returns the job's token."""
    require_perm(actor, "manage_customers")
    return JOBS.start(actor=actor, kind=kind, content=content, extension=extension,
                      filename=filename, language=language, ip=ip)


def job_get(*, token, user):
    """The job's state (a dict, ``result`` as an ImportResult) if it is the user's."""
    return JOBS.get(token=token, user=user)


def job_confirm(*, actor, token, language="", ip=None):
    """Import a checked, valid upload, at most once; False when it is not waiting."""
    require_perm(actor, "manage_customers")
    return JOBS.confirm(actor=actor, token=token, language=language, ip=ip)


def job_run(*, token, dry_run, user_id, language="", ip=None):
    """The background task: check (``dry_run``) or import the job's upload."""
    JOBS.run(token=token, dry_run=dry_run, user_id=user_id, language=language, ip=ip)


def job_finish(*, token):
    """Forget a job whose outcome was shown (or that was cancelled)."""
    JOBS.finish(token=token)


# --- export ------------------------------------------------------------------------

TEXT_COLUMNS = {"code", "customer_code", "phone", "invoice_phone", "tax_number",
                "bank_account", "postal_code"}


def export_queryset(kind, customers):
    """The rows of ``kind`` for the customers queryset (already scoped and filtered),
    with what the export reads joined or prefetched: no query per row."""
    if kind == "customers":
        return customers.select_related("level", "region", "sales_rep")
    ordering = [f"customer__{f.lstrip('-')}" if not f.startswith("-")
                else f"-customer__{f.lstrip('-')}" for f in customers.query.order_by]
    model = Contact if kind == "contacts" else Address
    order = ["-is_primary"] if kind == "contacts" else ["-is_default"]
    return (model.objects.filter(customer__in=customers.values("pk"))
            .select_related("customer").order_by(*ordering, "customer_id", *order, "id"))


def export_file(*, actor, kind, extension, customers, filters=None, ip=None):
    """The customers (or their contacts or addresses) as an .xlsx or .csv file:
    ``(bytes, filename)``. ``customers`` comes from ``selectors.customer_list`` for the
    actor, so the export has exactly the rows the actor's filtered list shows."""
    require_perm(actor, "export_data")
    if kind not in KINDS or extension not in FORMATS:
        raise CustomerError(_("Choose what to export and the file type."))
    from ordering.customers.selectors import customer_hidden_fields

    resource = resource_for(kind, hidden=customer_hidden_fields(actor=actor))
    data, count = spreadsheets.sheet_bytes(
        resource, export_queryset(kind, customers), extension=extension,
        title=resource_label(kind), text_keys=TEXT_COLUMNS)
    audit_record(actor=actor, action="customer.export", obj=None, ip=ip,
                 after={"kind": kind, "format": extension, "rows": count,
                        "filters": {k: v for k, v in (filters or {}).items() if v}})
    stamp = timezone.localdate().strftime("%Y%m%d")
    return data, f"{kind}-{stamp}.{extension}"


def template_file(*, kind, extension="xlsx", actor=None):
    """An empty import template: the header row the resource exports (without the
    columns ``actor`` may not read)."""
    from ordering.customers.selectors import customer_hidden_fields

    if kind not in KINDS or extension not in FORMATS:
        raise CustomerError(_("Choose what to import and the file type."))
    resource = resource_for(kind, hidden=customer_hidden_fields(actor=actor))
    data, _count = spreadsheets.sheet_bytes(resource, [], extension=extension,
                                            title=resource_label(kind),
                                            text_keys=TEXT_COLUMNS)
    return data, f"{kind}-template.{extension}"


def resource_label(kind):
    return KIND_LABELS[kind]
