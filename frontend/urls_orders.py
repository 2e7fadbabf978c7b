"""Filled by the orders pages."""

urlpatterns = []
