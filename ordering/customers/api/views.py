"""Customers over the API: customers, their contacts, addresses and ordering logins,
customer levels and registration applications.

Thin: each view declares its permission (roles.api.permissions.HasPermission calls
roles.has_perm), parses input with a serializer, reads through the scoped selectors
(another customer's id reads as 404) and writes through the services, whose
``ApplicationError`` becomes ``{"error": {"code", "message", "fields"}}``.
"""

from django.db import transaction
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.generics import GenericAPIView, ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import query_parameters
from ordering.customers import selectors
from ordering.customers.api import serializers as s
from ordering.customers.enums import CustomerStatus
from ordering.customers.services import applications as application_services
from ordering.customers.services import contacts as contact_services
from ordering.customers.services import customers as customer_services
from ordering.customers.services import logins as login_services
from roles.backends import client_ip

TAG = "customers"


def _site_url(request):
    return f"{request.scheme}://{request.get_host()}"


def _customer(request, pk):
    """The customer if the user may see it (scoped), else 404."""
    customer = selectors.customer_get(actor=request.user, pk=pk)
    if customer is None:
        raise Http404
    return customer


def _detail(request, pk):
    return s.CustomerDetailSerializer(_customer(request, pk),
                                      context={"actor": request.user}).data


def _update(request, pk, serializer_class):
    """PATCH a customer with the fields ``serializer_class`` accepts; the detail back."""
    customer = _customer(request, pk)
    data = serializer_class(data=request.data, partial=True)
    data.is_valid(raise_exception=True)
    if data.validated_data:
        customer_services.customer_update(actor=request.user, customer=customer,
                                          ip=client_ip(request), **data.validated_data)
    return Response(_detail(request, pk))


def _paginated(view, items, serializer_class):
    page = view.paginate_queryset(items)
    return view.get_paginated_response(serializer_class(page, many=True).data)


# --- customers -------------------------------------------------------------------------

LIST_PARAMETERS = [
    OpenApiParameter("q", str, description="Search name, code, phone, e-mail and contacts."),
    OpenApiParameter("level", int, description="Customer level id."),
    OpenApiParameter("region", int, description="Region id (sub-regions included)."),
    OpenApiParameter("sales_rep", str, description='Staff id, or "none" for unassigned.'),
    OpenApiParameter("status", str, enum=CustomerStatus.values,
                     description="Rejected applications only show when asked for."),
    OpenApiParameter("tag", str),
    OpenApiParameter("sort", str, enum=list(selectors.SORTS), default="name"),
]


@extend_schema(tags=[TAG])
class CustomerListApi(ListAPIView):
    """GET: the customers you may see (regional managers and sales reps: theirs), filtered
    and sorted. POST: create a customer, optionally with its primary contact."""

    permissions = {"GET": "view_customers", "POST": "manage_customers"}
    serializer_class = s.CustomerListItemSerializer
    filter_backends = ()

    def get_queryset(self):
        g = self.request.query_params
        return selectors.customer_list(
            actor=self.request.user, query=g.get("q", ""), level=g.get("level"),
            region=g.get("region"), sales_rep=g.get("sales_rep"), status=g.get("status", ""),
            tag=g.get("tag", ""), sort=g.get("sort") or "name")

    @query_parameters(LIST_PARAMETERS)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=s.CustomerCreateSerializer,
                   responses={201: s.CustomerDetailSerializer})
    def post(self, request):
        data = s.CustomerCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        contact = values.pop("contact", None)
        customer = customer_services.customer_create(actor=request.user, contact=contact,
                                                     ip=client_ip(request), **values)
        return Response(_detail(request, customer.pk), status=status.HTTP_201_CREATED)


@extend_schema(tags=[TAG])
class CustomerDetailApi(APIView):
    """GET a customer with its contacts, addresses, logins and invoice details. PATCH any
    editable field; only the fields sent change (credit fields also need
    ``manage_credit``; finance staff without ``manage_customers`` use ``…/credit/``)."""

    permissions = {"GET": "view_customers", "PATCH": "manage_customers"}

    @extend_schema(responses=s.CustomerDetailSerializer)
    def get(self, request, pk):
        return Response(_detail(request, pk))

    @extend_schema(request=s.CustomerInputSerializer, responses=s.CustomerDetailSerializer)
    def patch(self, request, pk):
        return _update(request, pk, s.CustomerInputSerializer)


@extend_schema(tags=[TAG])
class CustomerCreditApi(APIView):
    """PATCH the credit limit, payment terms or credit days (the ``manage_credit``
    permission: finance staff)."""

    permission = "manage_credit"

    @extend_schema(request=s.CreditInputSerializer, responses=s.CustomerDetailSerializer)
    def patch(self, request, pk):
        return _update(request, pk, s.CreditInputSerializer)


@extend_schema(tags=[TAG])
class CustomerStatusApi(APIView):
    """Disable a customer (its ordering logins are signed out at their next request) or
    enable it again."""

    permission = "manage_customers"
    active = True

    @extend_schema(request=None, responses=s.CustomerDetailSerializer)
    def post(self, request, pk):
        customer_services.customer_set_status(actor=request.user,
                                              customer=_customer(request, pk),
                                              active=self.active, ip=client_ip(request))
        return Response(_detail(request, pk))


@extend_schema(tags=[TAG])
class CustomerBulkAssignApi(APIView):
    """Assign a sales rep (``null``: none) and/or a level to several customers. Every
    customer must be one you may work with, or nothing changes (404)."""

    permission = "manage_customers"

    @extend_schema(request=s.BulkAssignSerializer, responses=s.BulkAssignResultSerializer)
    def post(self, request):
        data = s.BulkAssignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        updated = customer_services.customers_bulk_assign(
            actor=request.user, customer_ids=values.pop("customers"), ip=client_ip(request),
            **values)
        return Response({"updated": updated})


# --- contacts and shipping addresses ---------------------------------------------------
#
# Both are lists of small records under a customer with one marked record (the primary
# contact, the default address); one pair of views serves both, told apart by
# ``_ChildKind``.


class _ChildKind:
    def __init__(self, *, related, output, input, flag, fields, get, save, delete):
        self.related, self.output, self.input, self.flag = related, output, input, flag
        self.fields, self.get, self.save, self.delete = fields, get, save, delete


CONTACTS = _ChildKind(related="contacts", output=s.ContactSerializer,
                      input=s.ContactInputSerializer, flag="is_primary",
                      fields=("name", "title", "phone", "email"), get=selectors.contact_get,
                      save=contact_services.contact_save,
                      delete=lambda actor, item, ip: contact_services.contact_delete(
                          actor=actor, contact=item, ip=ip))
ADDRESSES = _ChildKind(related="addresses", output=s.AddressSerializer,
                       input=s.AddressInputSerializer, flag="is_default",
                       fields=("recipient", "phone", "region", "address", "postal_code"),
                       get=selectors.address_get, save=contact_services.address_save,
                       delete=lambda actor, item, ip: contact_services.address_delete(
                           actor=actor, address=item, ip=ip))


class _ChildListApi(GenericAPIView):
    permissions = {"GET": "view_customers", "POST": "manage_customers"}
    filter_backends = ()
    kind = None

    def get(self, request, pk):
        items = list(getattr(_customer(request, pk), self.kind.related).all())
        return _paginated(self, items, self.kind.output)

    def post(self, request, pk):
        customer = _customer(request, pk)
        data = self.kind.input(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        flag = values.pop(self.kind.flag, False)
        item = self.kind.save(actor=request.user, customer=customer, ip=client_ip(request),
                              **{self.kind.flag: flag}, **values)
        return Response(self.kind.output(item).data, status=status.HTTP_201_CREATED)


class _ChildDetailApi(APIView):
    """GET, PATCH (only the fields sent change) or DELETE one record."""

    permissions = {"GET": "view_customers", "PATCH": "manage_customers",
                   "DELETE": "manage_customers"}
    kind = None

    def _item(self, pk, item):
        customer = _customer(self.request, pk)
        found = self.kind.get(actor=self.request.user, customer=customer, pk=item)
        if found is None:
            raise Http404
        found.customer = customer
        return found

    def get(self, request, pk, item):
        return Response(self.kind.output(self._item(pk, item)).data)

    def patch(self, request, pk, item):
        found = self._item(pk, item)
        data = self.kind.input(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = {field: getattr(found, field) for field in self.kind.fields}
        values.update(data.validated_data)
        flag = values.pop(self.kind.flag, False)
        found = self.kind.save(actor=request.user, customer=found.customer, instance=found,
                               ip=client_ip(request), **{self.kind.flag: flag}, **values)
        return Response(self.kind.output(found).data)

    def delete(self, request, pk, item):
        self.kind.delete(request.user, self._item(pk, item), client_ip(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


def _list_schema(kind, what, whats):
    return extend_schema_view(
        get=extend_schema(summary=f"The customer's {whats}", responses=kind.output(many=True)),
        post=extend_schema(summary=f"Add a {what}", request=kind.input,
                           responses={201: kind.output}))


def _detail_schema(kind, what):
    return extend_schema_view(
        get=extend_schema(summary=f"One {what}", responses=kind.output),
        patch=extend_schema(summary=f"Change a {what} (only the fields sent)",
                            request=kind.input, responses=kind.output),
        delete=extend_schema(summary=f"Remove a {what}", responses={204: None}))


@_list_schema(CONTACTS, "contact", "contacts")
@extend_schema(tags=[TAG])
class CustomerContactListApi(_ChildListApi):
    kind, serializer_class = CONTACTS, s.ContactSerializer


@_detail_schema(CONTACTS, "contact")
@extend_schema(tags=[TAG])
class CustomerContactDetailApi(_ChildDetailApi):
    kind = CONTACTS


@_list_schema(ADDRESSES, "shipping address", "shipping addresses")
@extend_schema(tags=[TAG])
class CustomerAddressListApi(_ChildListApi):
    kind, serializer_class = ADDRESSES, s.AddressSerializer


@_detail_schema(ADDRESSES, "shipping address")
@extend_schema(tags=[TAG])
class CustomerAddressDetailApi(_ChildDetailApi):
    kind = ADDRESSES


# --- ordering logins -------------------------------------------------------------------


@extend_schema(tags=[TAG])
class CustomerLoginListApi(GenericAPIView):
    """GET the customer's ordering logins (primary first). POST: open a login; without a
    ``password`` the dealer gets an e-mail with a link to choose one."""

    permissions = {"GET": "view_customers", "POST": "manage_customers"}
    serializer_class = s.LoginSerializer
    filter_backends = ()

    @extend_schema(responses=s.LoginSerializer(many=True))
    def get(self, request, pk):
        return _paginated(self, list(_customer(request, pk).logins.all()), s.LoginSerializer)

    @extend_schema(request=s.LoginCreateSerializer, responses={201: s.LoginSerializer})
    def post(self, request, pk):
        customer = _customer(request, pk)
        data = s.LoginCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        login = login_services.login_create(
            actor=request.user, customer=customer, email=d["email"], name=d["name"],
            phone=d["phone"], buyer_role=d["buyer_role"], order_limit=d["order_limit"],
            is_primary=d["is_primary"], password=d["password"] or None,
            language=d["language"], site_url=_site_url(request), ip=client_ip(request))
        return Response(s.LoginSerializer(login).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=[TAG])
class CustomerLoginDetailApi(APIView):
    """GET one ordering login; PATCH its buyer role and limit, name, phone, primary flag or
    ``is_active`` (a disabled login is signed out at its next request)."""

    permissions = {"GET": "view_customers", "PATCH": "manage_customers"}
    UPDATE_FIELDS = ("buyer_role", "order_limit", "is_primary", "name", "phone")

    def _login(self, pk, lid):
        customer = _customer(self.request, pk)
        login = selectors.login_get(actor=self.request.user, customer=customer, pk=lid)
        if login is None:
            raise Http404
        return login

    @extend_schema(responses=s.LoginSerializer)
    def get(self, request, pk, lid):
        return Response(s.LoginSerializer(self._login(pk, lid)).data)

    @extend_schema(request=s.LoginUpdateSerializer, responses=s.LoginSerializer)
    def patch(self, request, pk, lid):
        login = self._login(pk, lid)
        data = s.LoginUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = dict(data.validated_data)
        ip = client_ip(request)
        active = d.pop("is_active", None)
        if "order_limit" in d and "buyer_role" not in d:
            d["buyer_role"] = login.buyer_role  # the service reads the limit with a role
        with transaction.atomic():  # all of the change, or none of it
            if active is True:  # enable first: a disabled login cannot become primary
                login = login_services.login_set_active(actor=request.user, login=login,
                                                        active=True, ip=ip)
            if d:
                login = login_services.login_update(actor=request.user, login=login, ip=ip,
                                                    **d)
            if active is False:
                login = login_services.login_set_active(actor=request.user, login=login,
                                                        active=False, ip=ip)
        return Response(s.LoginSerializer(self._login(pk, lid)).data)


# --- levels ----------------------------------------------------------------------------


def _level(request, pk):
    level = selectors.level_list(actor=request.user).filter(pk=pk).first()
    if level is None:
        raise Http404
    return level


@extend_schema(tags=[TAG])
class CustomerLevelListApi(GenericAPIView):
    """GET the customer levels in display order, with how many customers each has (for
    regional managers and sales reps: how many of their own customers). POST: add a
    level (``manage_prices``: a level prices every customer at it)."""

    permissions = {"GET": "view_customers", "POST": "manage_prices"}
    serializer_class = s.LevelSerializer
    filter_backends = ()

    @extend_schema(responses=s.LevelSerializer(many=True))
    def get(self, request):
        return _paginated(self, selectors.level_list(actor=request.user), s.LevelSerializer)

    @extend_schema(request=s.LevelInputSerializer, responses={201: s.LevelSerializer})
    def post(self, request):
        data = s.LevelInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        level = customer_services.level_create(actor=request.user, ip=client_ip(request),
                                               **data.validated_data)
        return Response(s.LevelSerializer(_level(request, level.pk)).data,
                        status=status.HTTP_201_CREATED)


@extend_schema(tags=[TAG])
class CustomerLevelDetailApi(APIView):
    """GET a level; PATCH it (only the fields sent change; ``is_default: true`` makes it
    the default); DELETE it when no customer is at this level. Changing levels needs
    ``manage_prices``."""

    permissions = {"GET": "view_customers", "PATCH": "manage_prices",
                   "DELETE": "manage_prices"}

    @extend_schema(responses=s.LevelSerializer)
    def get(self, request, pk):
        return Response(s.LevelSerializer(_level(request, pk)).data)

    @extend_schema(request=s.LevelInputSerializer, responses=s.LevelSerializer)
    def patch(self, request, pk):
        level = _level(request, pk)
        data = s.LevelInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = {"name": level.name, "price_percent": level.price_percent,
                  "position": level.position, "is_default": level.is_default,
                  **data.validated_data}
        if values["position"] is None:
            values["position"] = level.position
        customer_services.level_update(actor=request.user, level=level, ip=client_ip(request),
                                       **values)
        return Response(s.LevelSerializer(_level(request, pk)).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk):
        customer_services.level_delete(actor=request.user, level=_level(request, pk),
                                       ip=client_ip(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- registration applications ---------------------------------------------------------


def _application(request, pk):
    application = selectors.application_get(actor=request.user, pk=pk)
    if application is None:
        raise Http404
    return application


@extend_schema(tags=[TAG])
class CustomerApplicationListApi(ListAPIView):
    """Dealer registration applications you may review, newest first (``status``:
    pending (default), approved, rejected or all)."""

    permission = "view_customers"
    serializer_class = s.ApplicationSerializer
    filter_backends = ()

    def get_queryset(self):
        query = s.ApplicationQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        wanted = query.validated_data["status"]
        return selectors.application_list(actor=self.request.user,
                                          status="" if wanted == "all" else wanted)

    @extend_schema(parameters=[s.ApplicationQuerySerializer])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


@extend_schema(tags=[TAG])
class CustomerApplicationDetailApi(APIView):
    permission = "view_customers"

    @extend_schema(responses=s.ApplicationSerializer)
    def get(self, request, pk):
        return Response(s.ApplicationSerializer(_application(request, pk)).data)


@extend_schema(tags=[TAG])
class CustomerApplicationApproveApi(APIView):
    """Approve: the customer becomes active (with the level, sales rep and region given)
    and its primary login is opened; the applicant gets a welcome e-mail."""

    permission = "manage_customers"

    @extend_schema(request=s.ApplicationApproveSerializer, responses=s.ApplicationSerializer)
    def post(self, request, pk):
        application = _application(request, pk)
        data = s.ApplicationApproveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        application_services.application_approve(
            actor=request.user, application=application, site_url=_site_url(request),
            ip=client_ip(request), **data.validated_data)
        return Response(s.ApplicationSerializer(_application(request, pk)).data)


@extend_schema(tags=[TAG])
class CustomerApplicationRejectApi(APIView):
    """Reject with a reason; the applicant reads it in the e-mail."""

    permission = "manage_customers"

    @extend_schema(request=s.ApplicationRejectSerializer, responses=s.ApplicationSerializer)
    def post(self, request, pk):
        application = _application(request, pk)
        data = s.ApplicationRejectSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        application_services.application_reject(
            actor=request.user, application=application, reason=data.validated_data["reason"],
            ip=client_ip(request))
        return Response(s.ApplicationSerializer(_application(request, pk)).data)

