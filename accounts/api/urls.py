from django.urls import path

from accounts.api import views

app_name = "accounts-api"

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="token"),
    path("auth/token/current/", views.TokenRevokeView.as_view(), name="token-revoke"),
    path("me/", views.MeView.as_view(), name="me"),
]
