"""The orders API under /api/v1/."""

urlpatterns = []
