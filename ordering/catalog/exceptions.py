"""The catalog's errors: products, variants, prices, images, stock."""

from django.db.models import TextChoices

from core.exceptions import (ApplicationError, ConflictError, NotFoundError,
                             PermissionDeniedError, register_error_codes)


@register_error_codes
class CatalogErrorCode(TextChoices):
    EMPTY = "empty", "Nothing to do: no quantity for any variant."
    INSUFFICIENT_STOCK = "insufficient_stock", \
        "Not enough stock available (and the supplier does not allow overselling)."


class CatalogError(ApplicationError):
    """Any refusal of this app (400 unless a subclass says otherwise)."""


class CatalogNotFoundError(CatalogError, NotFoundError):
    """Not found, or not the user's to see (404)."""


class CatalogPermissionError(CatalogError, PermissionDeniedError):
    """Not allowed (403)."""


class CatalogConflictError(CatalogError, ConflictError):
    """The state forbids it (409)."""


class InsufficientStockError(CatalogConflictError):
    code = CatalogErrorCode.INSUFFICIENT_STOCK


class VariantRowError(CatalogError):
    """Row ``index`` of a batch of variants was refused with ``error``. For the API the
    error's fields sit under ``{"variants": {index: …}}``; a page shows ``error`` on
    the row's own form."""

    def __init__(self, index, error):
        super().__init__(error.message, code=error.code, fields={"variants": {
            str(index): error.fields or {"non_field_errors": [error.message]}}})
        self.index, self.error = index, error

    @property
    def status(self):  # the refused row's own (400, 404, 409 …)
        return self.error.status
