"""Shapes of the customers API. Input serializers only parse (types, lengths, ids that
must exist); ordering.customers.services decide everything else. Output serializers
present what the scoped selectors read."""

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api import CleanTextSerializer
from ordering.customers import selectors
from ordering.customers.enums import ApplicationStatus, BuyerRole, PaymentTerms
from ordering.customers.models import CustomerLevel
from roles.enums import UserKind
from roles.models import Region

MONEY = {"max_digits": 14, "decimal_places": 2}


# --- references by id ------------------------------------------------------------------


class RegionField(serializers.PrimaryKeyRelatedField):
    default_error_messages = {
        "does_not_exist": _("No such region."),
        "incorrect_type": _("Give the region's id (a number)."),
    }

    def __init__(self, **kwargs):
        super().__init__(queryset=Region.objects.all(), **kwargs)


class LevelField(serializers.PrimaryKeyRelatedField):
    default_error_messages = {
        "does_not_exist": _("No such customer level."),
        "incorrect_type": _("Give the customer level's id (a number)."),
    }

    def __init__(self, **kwargs):
        super().__init__(queryset=CustomerLevel.objects.all(), **kwargs)


class SalesRepField(serializers.PrimaryKeyRelatedField):
    """An active staff member who can work with customers (as on the dashboard)."""

    default_error_messages = {
        "does_not_exist": _("Choose an active staff member who works with customers."),
        "incorrect_type": _("Give the staff member's id (a number)."),
    }

    def __init__(self, **kwargs):
        super().__init__(queryset=get_user_model().objects.filter(kind=UserKind.STAFF),
                         **kwargs)

    def get_queryset(self):
        from ordering.customers.services.customers import sales_rep_choices

        return sales_rep_choices()


# --- output ----------------------------------------------------------------------------


class NamedRefSerializer(CleanTextSerializer):
    id = serializers.IntegerField()
    name = serializers.CharField()

    class Meta:
        ref_name = "NamedRef"


class StaffRefSerializer(CleanTextSerializer):
    id = serializers.IntegerField()
    name = serializers.SerializerMethodField()

    class Meta:
        ref_name = "StaffRef"

    def get_name(self, user) -> str:
        return user.name or user.email


class ContactSerializer(CleanTextSerializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    title = serializers.CharField()
    phone = serializers.CharField()
    email = serializers.CharField()
    is_primary = serializers.BooleanField()

    class Meta:
        ref_name = "CustomerContact"


class AddressSerializer(CleanTextSerializer):
    id = serializers.IntegerField()
    recipient = serializers.CharField()
    phone = serializers.CharField()
    region = NamedRefSerializer(allow_null=True)
    address = serializers.CharField()
    postal_code = serializers.CharField()
    full_address = serializers.CharField()
    is_default = serializers.BooleanField()

    class Meta:
        ref_name = "CustomerAddress"


class LoginSerializer(CleanTextSerializer):
    id = serializers.IntegerField()
    user_id = serializers.IntegerField()
    email = serializers.EmailField(source="user.email")
    name = serializers.CharField(source="user.name")
    phone = serializers.CharField(source="user.phone")
    buyer_role = serializers.ChoiceField(choices=BuyerRole.choices)
    order_limit = serializers.DecimalField(**MONEY, allow_null=True)
    is_primary = serializers.BooleanField()
    is_active = serializers.BooleanField(source="user.is_active")
    last_login = serializers.DateTimeField(source="user.last_login", allow_null=True)
    created_at = serializers.DateTimeField()

    class Meta:
        ref_name = "CustomerLogin"


class _FinanceFieldsHidden:
    """Finance fields (``selectors.FINANCE_FIELDS``) read as null for staff without
    ``view_finance``. The actor comes from the context (``actor`` or the request's user);
    without one, they are hidden."""

    def _hidden(self):
        cached = getattr(self, "_hidden_fields", None)
        if cached is None:
            context = self.context
            if "actor" in context:
                cached = selectors.customer_hidden_fields(actor=context["actor"])
            elif context.get("request") is not None:
                cached = selectors.customer_hidden_fields(actor=context["request"].user)
            else:
                cached = frozenset(selectors.FINANCE_FIELDS)
            self._hidden_fields = cached
        return cached

    def to_representation(self, instance):
        data = super().to_representation(instance)
        for field in self._hidden():
            if field in data:
                data[field] = None
        return data


class CustomerListItemSerializer(_FinanceFieldsHidden, CleanTextSerializer):
    """``credit_limit``, ``payment_terms`` and ``payment_days`` are null unless you hold
    ``view_finance``."""

    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    phone = serializers.CharField()
    email = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    level = NamedRefSerializer(allow_null=True)
    region = NamedRefSerializer(allow_null=True)
    sales_rep = StaffRefSerializer(allow_null=True)
    tags = serializers.ListField(child=serializers.CharField())
    credit_limit = serializers.DecimalField(**MONEY, allow_null=True)
    payment_terms = serializers.ChoiceField(choices=PaymentTerms.choices, allow_null=True)
    payment_days = serializers.IntegerField(allow_null=True)
    primary_contact = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    class Meta:
        ref_name = "CustomerListItem"

    @extend_schema_field(ContactSerializer(allow_null=True))
    def get_primary_contact(self, customer):
        contacts = getattr(customer, "primary_contacts", None)  # prefetched by customer_list
        if contacts is None:  # customer_get prefetches every contact
            contacts = [contact for contact in customer.contacts.all() if contact.is_primary]
        return ContactSerializer(contacts[0]).data if contacts else None


class CustomerDetailSerializer(CustomerListItemSerializer):
    """The credit fields and the invoice and bank details are null unless you hold
    ``view_finance``."""

    notes = serializers.CharField()
    invoice_title = serializers.CharField(allow_null=True)
    tax_number = serializers.CharField(allow_null=True)
    bank_name = serializers.CharField(allow_null=True)
    bank_account = serializers.CharField(allow_null=True)
    invoice_address = serializers.CharField(allow_null=True)
    invoice_phone = serializers.CharField(allow_null=True)
    updated_at = serializers.DateTimeField()
    contacts = ContactSerializer(many=True)
    addresses = AddressSerializer(many=True)
    logins = LoginSerializer(many=True)

    class Meta:
        ref_name = "CustomerDetail"


class LevelSerializer(CleanTextSerializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    price_percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    position = serializers.IntegerField()
    is_default = serializers.BooleanField()
    customer_count = serializers.IntegerField(
        help_text="Customers at this level; for regional managers and sales reps, only "
                  "their own customers.")

    class Meta:
        ref_name = "CustomerLevel"


class ApplicationCustomerSerializer(CleanTextSerializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    status = serializers.CharField()
    region = NamedRefSerializer(allow_null=True)

    class Meta:
        ref_name = "ApplicationCustomer"


class ApplicationSerializer(CleanTextSerializer):
    """The licence image is shown on the dashboard only: the API says whether there is one."""

    id = serializers.IntegerField()
    customer = ApplicationCustomerSerializer()
    contact_name = serializers.CharField()
    email = serializers.EmailField()
    phone = serializers.CharField()
    message = serializers.CharField()
    status = serializers.ChoiceField(choices=ApplicationStatus.choices)
    status_label = serializers.CharField(source="get_status_display")
    reject_reason = serializers.CharField()
    has_licence = serializers.SerializerMethodField()
    reviewed_by = StaffRefSerializer(allow_null=True)
    reviewed_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()

    class Meta:
        ref_name = "CustomerApplication"

    def get_has_licence(self, application) -> bool:
        return bool(application.licence)


# --- input -----------------------------------------------------------------------------


class ContactInputSerializer(CleanTextSerializer):
    name = serializers.CharField(max_length=80)
    title = serializers.CharField(max_length=60, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True)
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True)
    is_primary = serializers.BooleanField(
        required=False, help_text="Make this the primary contact (the first contact always is).")

    class Meta:
        ref_name = "CustomerContactInput"


class NewCustomerContactSerializer(CleanTextSerializer):
    name = serializers.CharField(max_length=80)
    title = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True, default="")

    class Meta:
        ref_name = "NewCustomerContact"


class CreditInputSerializer(CleanTextSerializer):
    credit_limit = serializers.DecimalField(**MONEY, min_value=Decimal("0"), required=False)
    payment_terms = serializers.ChoiceField(choices=PaymentTerms.choices, required=False)
    payment_days = serializers.IntegerField(min_value=0, max_value=365, required=False)

    class Meta:
        ref_name = "CustomerCreditInput"


class CustomerInputSerializer(CreditInputSerializer):
    """The editable fields of a customer (services.customers.EDITABLE). On PATCH only the
    fields sent change; credit fields need the ``manage_credit`` permission too."""

    code = serializers.CharField(
        max_length=32, required=False, allow_blank=True,
        help_text="Left empty on creation, the next free code (C00001 …) is used.")
    name = serializers.CharField(max_length=120)
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True)
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True)
    region = RegionField(required=False, allow_null=True)
    level = LevelField(required=False, allow_null=True,
                       help_text="Left out on creation, the default level is used.")
    sales_rep = SalesRepField(required=False, allow_null=True)
    tags = serializers.ListField(child=serializers.CharField(max_length=30), required=False,
                                 max_length=20)
    notes = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    invoice_title = serializers.CharField(max_length=120, required=False, allow_blank=True)
    tax_number = serializers.CharField(max_length=40, required=False, allow_blank=True)
    bank_name = serializers.CharField(max_length=120, required=False, allow_blank=True)
    bank_account = serializers.CharField(max_length=60, required=False, allow_blank=True)
    invoice_address = serializers.CharField(max_length=255, required=False, allow_blank=True)
    invoice_phone = serializers.CharField(max_length=32, required=False, allow_blank=True)

    class Meta:
        ref_name = "CustomerInput"


class CustomerCreateSerializer(CustomerInputSerializer):
    contact = NewCustomerContactSerializer(required=False,
                                           help_text="Becomes the customer's primary contact.")

    class Meta:
        ref_name = "CustomerCreate"


class BulkAssignSerializer(CleanTextSerializer):
    customers = serializers.ListField(child=serializers.IntegerField(min_value=1),
                                      allow_empty=False, max_length=1000)
    sales_rep = SalesRepField(required=False, allow_null=True,
                              help_text="null removes the assigned sales rep.")
    level = LevelField(required=False)

    class Meta:
        ref_name = "CustomerBulkAssign"

    def validate(self, attrs):
        if "sales_rep" not in attrs and "level" not in attrs:
            raise serializers.ValidationError(_("Choose a sales rep or a level to assign."))
        return attrs


class BulkAssignResultSerializer(CleanTextSerializer):
    updated = serializers.IntegerField(help_text="How many customers changed.")

    class Meta:
        ref_name = "CustomerBulkAssignResult"


class AddressInputSerializer(CleanTextSerializer):
    recipient = serializers.CharField(max_length=80)
    phone = serializers.CharField(max_length=32)
    region = RegionField(required=False, allow_null=True)
    address = serializers.CharField(max_length=255)
    postal_code = serializers.CharField(max_length=12, required=False, allow_blank=True)
    is_default = serializers.BooleanField(
        required=False, help_text="Make this the default address (the first address always is).")

    class Meta:
        ref_name = "CustomerAddressInput"


class LoginCreateSerializer(CleanTextSerializer):
    email = serializers.EmailField(max_length=254)
    name = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    buyer_role = serializers.ChoiceField(choices=BuyerRole.choices, required=False,
                                         default=BuyerRole.ORDER)
    order_limit = serializers.DecimalField(**MONEY, min_value=Decimal("0"), required=False,
                                           allow_null=True, default=None)
    is_primary = serializers.BooleanField(required=False, default=False)
    password = serializers.CharField(
        max_length=128, required=False, allow_blank=True, default="", write_only=True,
        style={"input_type": "password"},
        help_text="Optional: the dealer must change it at the first sign-in. Without it the "
                  "dealer gets an e-mail with a link to choose a password.")
    language = serializers.ChoiceField(choices=["zh-hans", "en"], required=False,
                                       allow_blank=True, default="")

    class Meta:
        ref_name = "CustomerLoginCreate"


class LoginUpdateSerializer(CleanTextSerializer):
    buyer_role = serializers.ChoiceField(choices=BuyerRole.choices, required=False)
    order_limit = serializers.DecimalField(**MONEY, min_value=Decimal("0"), required=False,
                                           allow_null=True)
    is_primary = serializers.BooleanField(required=False)
    name = serializers.CharField(max_length=120, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)

    class Meta:
        ref_name = "CustomerLoginUpdate"


class LevelInputSerializer(CleanTextSerializer):
    name = serializers.CharField(max_length=60)
    price_percent = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=Decimal("0.01"), max_value=Decimal("100"),
        required=False, default=Decimal("100"), help_text="100 = list price, 90 = 10 % off.")
    position = serializers.IntegerField(min_value=0, required=False, allow_null=True,
                                        default=None)
    is_default = serializers.BooleanField(required=False, default=False)

    class Meta:
        ref_name = "CustomerLevelInput"


class ApplicationQuerySerializer(CleanTextSerializer):
    status = serializers.ChoiceField(choices=[*ApplicationStatus.values, "all"], required=False,
                                     default=ApplicationStatus.PENDING)


class ApplicationApproveSerializer(CleanTextSerializer):
    level = LevelField(required=False, allow_null=True)
    sales_rep = SalesRepField(required=False, allow_null=True)
    region = RegionField(required=False, allow_null=True)

    class Meta:
        ref_name = "CustomerApplicationApprove"


class ApplicationRejectSerializer(CleanTextSerializer):
    reason = serializers.CharField(max_length=2000, allow_blank=True,
                                   help_text="Sent to the applicant in the e-mail.")

    class Meta:
        ref_name = "CustomerApplicationReject"
