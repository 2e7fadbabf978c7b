"""The catalog over the API (staff): products with their variants, images and prices,
variants, stock movements, categories, brands and units.

Thin: each view declares its permission (roles.api.permissions.HasPermission calls
roles.has_perm), parses input with a serializer, reads through
ordering.catalog.selectors and writes through ordering.catalog.services, whose
``ApplicationError`` becomes ``{"error": {"code", "message", "fields"}}``. A request
that makes several writes (a product with its variants, several images) calls one
service of ``ordering.catalog.services.editing`` that makes them in one transaction.
"""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView, ListAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import query_parameters
from core.exceptions import ApplicationError
from ordering.catalog.exceptions import CatalogError
from ordering.catalog import selectors
from ordering.catalog.api import serializers as s
from ordering.catalog.enums import MovementKind, StockState
from ordering.catalog.services import editing
from ordering.catalog.services import products as catalog
from ordering.catalog.services.stock import stock_move
from roles.backends import client_ip

TAG = "catalog"


def _product(request, pk, *, with_prices=True):
    product = selectors.product_get(actor=request.user, pk=pk, with_prices=with_prices)
    if product is None:
        raise Http404
    return product


def _variant(request, pk):
    variant = selectors.variant_get(actor=request.user, pk=pk)
    if variant is None:
        raise Http404
    return variant


def _detail(request, pk):
    return s.ProductDetailSerializer(_product(request, pk)).data


def _product_values(data):
    """Service keyword arguments from validated product input (brand and unit by name:
    the service makes them when new)."""
    values = dict(data)
    values.pop("variants", None)
    if "brand" in values:
        values["brand"] = values["brand"] or ""
    return values


def _variant_row(data, current=None):
    """A variant row for ``editing.variant_row_save``: the current variant's values
    (when changing one) overridden by what was sent; specifications and units by name."""
    row = {}
    if current is not None:
        row = {"variant": current.pk, "code": current.code, "barcode": current.barcode,
               "list_price": current.list_price, "weight": current.weight,
               "min_quantity": current.min_quantity,
               "order_multiple": current.order_multiple, "is_active": current.is_active,
               "image": current.image_id, "spec_values": list(current.spec_values.all()),
               "units": [(u.unit, u.factor) for u in current.units.select_related("unit")]}
    for key in ("code", "barcode", "list_price", "weight", "min_quantity", "order_multiple",
                "is_active", "image"):
        if key in data:
            row[key] = data[key]
    if "specs" in data:
        row["spec_values"] = [(spec["attribute"], spec["value"]) for spec in data["specs"]]
    if "units" in data:
        row["units"] = [(unit["unit"], unit["factor"]) for unit in data["units"]]
    row.setdefault("units", [])
    row.setdefault("spec_values", [])
    return row


# --- products ----------------------------------------------------------------------

LIST_PARAMETERS = [
    OpenApiParameter("q", str, description="Search name, product code and SKU codes "
                                           "(partial), or a barcode (exact)."),
    OpenApiParameter("category", int, description="Category id (sub-categories included)."),
    OpenApiParameter("brand", int, description="Brand id."),
    OpenApiParameter("tag", str),
    OpenApiParameter("shelf", str, enum=list(selectors.SHELF)),
    OpenApiParameter("stock", str, enum=StockState.values,
                     description="By the available stock of the active variants."),
    OpenApiParameter("sort", str, enum=list(selectors.SORTS), default="position"),
]


@extend_schema(tags=[TAG])
class ProductListApi(ListAPIView):
    """GET: products with search, filters and sorting. POST: create a product, optionally
    with its variants (all or nothing)."""

    permissions = {"GET": "view_catalog", "POST": "manage_catalog"}
    serializer_class = s.ProductListItemSerializer
    filter_backends = ()

    def get_queryset(self):
        g = self.request.query_params
        return selectors.product_list(
            actor=self.request.user, query=g.get("q", ""), category=g.get("category"),
            brand=g.get("brand"), tag=g.get("tag", ""), shelf=g.get("shelf", ""),
            stock=g.get("stock", ""), sort=g.get("sort") or "position")

    @query_parameters(LIST_PARAMETERS)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=s.ProductCreateSerializer, responses={201: s.ProductDetailSerializer})
    def post(self, request):
        data = s.ProductCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        product = editing.product_create_with_variants(
            actor=request.user, ip=client_ip(request),
            variants=[_variant_row(row) for row in data.validated_data.get("variants", [])],
            **_product_values(data.validated_data))
        return Response(_detail(request, product.pk), status=status.HTTP_201_CREATED)


@extend_schema(tags=[TAG])
class ProductDetailApi(APIView):
    """GET a product with its variants (specifications, units, stock, level and customer
    prices, quantity breaks) and images. PATCH its fields; only the fields sent change."""

    permissions = {"GET": "view_catalog", "PATCH": "manage_catalog"}

    @extend_schema(responses=s.ProductDetailSerializer)
    def get(self, request, pk):
        return Response(_detail(request, pk))

    @extend_schema(request=s.ProductInputSerializer, responses=s.ProductDetailSerializer)
    def patch(self, request, pk):
        product = _product(request, pk, with_prices=False)
        data = s.ProductInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        if data.validated_data:
            values = _product_values(data.validated_data)
            levels = values.pop("levels", None)
            catalog.product_update(actor=request.user, product=product, levels=levels,
                                   ip=client_ip(request), **values)
        return Response(_detail(request, pk))


@extend_schema(tags=[TAG])
class ProductVariantListApi(APIView):
    """POST: add a variant to the product."""

    permission = "manage_catalog"

    @extend_schema(request=s.VariantInputSerializer, responses={201: s.VariantSerializer})
    def post(self, request, pk):
        product = _product(request, pk, with_prices=False)
        data = s.VariantInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        variant = editing.variant_row_save(actor=request.user, product=product,
                                           row=_variant_row(data.validated_data),
                                           ip=client_ip(request))
        return Response(s.VariantSerializer(_variant(request, variant.pk)).data,
                        status=status.HTTP_201_CREATED)


@extend_schema(tags=[TAG])
class ProductImageListApi(APIView):
    """POST (multipart) one or more images, field ``images``: JPEG, PNG or WebP of at most
    5 MB each; all or none are added. Thumbnails are made in the background."""

    permission = "manage_catalog"
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request={"multipart/form-data": s.ImageUploadSerializer},
                   responses={201: s.ImageSerializer(many=True)})
    def post(self, request, pk):
        product = _product(request, pk, with_prices=False)
        uploads = request.FILES.getlist("images")
        if not uploads or len(uploads) > 20:
            message = _("Send one to 20 images in the field “images”.")
            raise CatalogError(message, fields={"images": [message]})
        made = editing.images_add(actor=request.user, product=product, uploads=uploads,
                                  ip=client_ip(request))
        return Response(s.ImageSerializer(made, many=True).data,
                        status=status.HTTP_201_CREATED)


# --- variants and stock ------------------------------------------------------------


@extend_schema(tags=[TAG])
class VariantDetailApi(APIView):
    """GET a variant. PATCH it: only the fields sent change (``specs`` and ``units``
    replace the current ones when sent)."""

    permissions = {"GET": "view_catalog", "PATCH": "manage_catalog"}

    @extend_schema(responses=s.VariantSerializer)
    def get(self, request, pk):
        return Response(s.VariantSerializer(_variant(request, pk)).data)

    @extend_schema(request=s.VariantInputSerializer, responses=s.VariantSerializer)
    def patch(self, request, pk):
        variant = _variant(request, pk)
        data = s.VariantInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        if data.validated_data:
            editing.variant_row_save(actor=request.user, product=variant.product,
                                     row=_variant_row(data.validated_data, current=variant),
                                     variants={variant.pk: variant}, ip=client_ip(request))
        return Response(s.VariantSerializer(_variant(request, pk)).data)


@extend_schema(tags=[TAG])
class StockMovementListApi(GenericAPIView):
    """GET the variant's stock ledger (newest first). POST a stock adjustment (a signed
    ``quantity`` and a ``reason``) or a receipt (a positive ``quantity``)."""

    permissions = {"GET": "view_catalog", "POST": "manage_stock"}
    serializer_class = s.StockMovementSerializer
    filter_backends = ()

    def get_queryset(self):
        return selectors.movement_list(actor=self.request.user,
                                       variant=_variant(self.request, self.kwargs["pk"]))

    @extend_schema(responses=s.StockMovementSerializer(many=True))
    def get(self, request, pk):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(request=s.StockMovementInputSerializer,
                   responses={201: s.StockMovementSerializer})
    def post(self, request, pk):
        variant = _variant(request, pk)
        data = s.StockMovementInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        if d["kind"] == MovementKind.ADJUSTMENT:
            movement = stock_move(actor=request.user, variant=variant,
                                  kind=MovementKind.ADJUSTMENT, on_hand_change=d["quantity"],
                                  reason=d.get("reason", ""), reference=d.get("reference", ""))
        else:
            movement = stock_move(actor=request.user, variant=variant,
                                  kind=MovementKind.RECEIPT, quantity=d["quantity"],
                                  reason=d.get("reason", ""), reference=d.get("reference", ""))
        return Response(s.StockMovementSerializer(movement).data,
                        status=status.HTTP_201_CREATED)


# --- reference data ----------------------------------------------------------------


@extend_schema(tags=[TAG])
class CategoryListApi(GenericAPIView):
    """GET the category tree (parents before children, with ``depth``). POST a category."""

    permissions = {"GET": "view_catalog", "POST": "manage_catalog"}
    serializer_class = s.CategorySerializer
    filter_backends = ()

    @extend_schema(responses=s.CategorySerializer(many=True))
    def get(self, request):
        page = self.paginate_queryset(selectors.category_tree(actor=request.user))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(request=s.CategoryInputSerializer, responses={201: s.CategorySerializer})
    def post(self, request):
        data = s.CategoryInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        category = catalog.category_create(actor=request.user, name=d["name"],
                                           parent=d.get("parent"), position=d.get("position"),
                                           ip=client_ip(request))
        category = next(c for c in selectors.category_tree(actor=request.user)
                        if c.pk == category.pk)
        return Response(s.CategorySerializer(category).data, status=status.HTTP_201_CREATED)


class _NamedListApi(GenericAPIView):
    """GET the list; POST a name: the existing record with that name (any case), or a
    new one. Each list defines ``list()`` (the rows) and ``make(name)`` (find or add)."""

    permissions = {"GET": "view_catalog", "POST": "manage_catalog"}
    filter_backends = ()

    def get(self, request):
        page = self.paginate_queryset(self.list())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def post(self, request):
        data = s.NameInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = self.make(data.validated_data["name"])
        return Response(self.get_serializer(item).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=[TAG])
class BrandListApi(_NamedListApi):
    serializer_class = s.BrandSerializer

    @extend_schema(responses=s.BrandSerializer(many=True))
    def get(self, request):
        return super().get(request)

    def list(self):
        return selectors.brand_list(actor=self.request.user)

    @extend_schema(request=s.NameInputSerializer, responses={201: s.BrandSerializer})
    def post(self, request):
        return super().post(request)

    def make(self, name):
        brand = catalog.brand_get_or_create(name)
        if brand is None:
            message = _("Enter the brand's name.")
            raise CatalogError(message, fields={"name": [message]})
        return brand


@extend_schema(tags=[TAG])
class UnitListApi(_NamedListApi):
    serializer_class = s.UnitSerializer

    @extend_schema(responses=s.UnitSerializer(many=True))
    def get(self, request):
        return super().get(request)

    def list(self):
        return selectors.unit_list(actor=self.request.user)

    @extend_schema(request=s.NameInputSerializer, responses={201: s.UnitSerializer})
    def post(self, request):
        return super().post(request)

    def make(self, name):
        try:
            return catalog.unit_get_or_create(name)
        except ApplicationError as exc:
            raise CatalogError(exc.message, fields={"name": exc.fields.get("unit", [])}) \
                from exc
