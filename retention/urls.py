from django.urls import path

from retention import views

app_name = "retention"

BATCH = "batches/<uuid:batch_id>/"

urlpatterns = [
    # The schedule.
    path("", views.schedule, name="schedule"),
    path("classes/<slug:code>/", views.record_class_detail, name="class-detail"),
    # Holds.
    path("holds/", views.hold_list, name="hold-list"),
    path("holds/new/", views.hold_create, name="hold-create"),
    path("holds/<uuid:hold_id>/", views.hold_detail, name="hold-detail"),
    # Disposal batches: review, approval, certificates.
    path("batches/", views.batch_list, name="batch-list"),
    path(BATCH, views.batch_detail, name="batch-detail"),
    path(f"{BATCH}approve/", views.batch_approve, name="batch-approve"),
    path(f"{BATCH}cancel/", views.batch_cancel, name="batch-cancel"),
    path(f"{BATCH}items/<uuid:item_id>/keep/", views.batch_item_keep, name="item-keep"),
    path(f"{BATCH}certificate.pdf", views.batch_certificate, name="batch-certificate"),
    # The disposal register and the forecast.
    path("register/", views.register, name="register"),
    path("register/csv/", views.register_csv, name="register-csv"),
    path("forecast/", views.forecast, name="forecast"),
]
