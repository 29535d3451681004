"""Outbound package endpoints."""

urlpatterns: list = []
