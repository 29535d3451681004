from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("sign-in/", views.SignInView.as_view(), name="login"),
    path("sign-out/", views.sign_out, name="logout"),
    path("mfa/verify/", views.mfa_verify, name="mfa-verify"),
    path("mfa/set-up/", views.mfa_enrol, name="mfa-enrol"),
    path("account/", views.account, name="account"),
]
