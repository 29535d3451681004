from django.urls import path

from retention.api import views

app_name = "retention-api"

C = "classes/<slug:code>/"
H = "holds/<uuid:hold_id>/"
B = "batches/<uuid:batch_id>/"

urlpatterns = [
    path("classes/", views.RecordClassListView.as_view(), name="class-list"),
    path(C, views.RecordClassDetailView.as_view(), name="class-detail"),
    path(C + "rule/", views.RuleChangeView.as_view(), name="rule-change"),
    path("holds/", views.HoldListView.as_view(), name="hold-list"),
    path(H, views.HoldDetailView.as_view(), name="hold-detail"),
    path(H + "lift/", views.HoldLiftView.as_view(), name="hold-lift"),
    path("batches/", views.BatchListView.as_view(), name="batch-list"),
    path(B, views.BatchDetailView.as_view(), name="batch-detail"),
    path(B + "items/", views.BatchItemListView.as_view(), name="batch-items"),
    path(B + "approve/", views.BatchApproveView.as_view(), name="batch-approve"),
    path(B + "cancel/", views.BatchCancelView.as_view(), name="batch-cancel"),
    path(
        B + "items/<uuid:item_id>/keep/",
        views.BatchItemKeepView.as_view(),
        name="batch-item-keep",
    ),
    path(B + "certificate/", views.BatchCertificateView.as_view(), name="batch-certificate"),
    path("register/", views.RegisterView.as_view(), name="register"),
    path("forecast/", views.ForecastView.as_view(), name="forecast"),
    path("dry-run/", views.DryRunView.as_view(), name="dry-run"),
]
