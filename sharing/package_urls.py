"""Outbound package pages."""

urlpatterns: list = []
