"""Filled by the dealer returns pages."""

urlpatterns = []
