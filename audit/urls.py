from django.urls import path

from audit import views

app_name = "audit"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("events/", views.event_search, name="event-search"),
    path("events/export.csv", views.event_export, name="event-export"),
    path("people/", views.person_find, name="person-find"),
    path("people/<uuid:person_id>/", views.person_report, name="person-report"),
    path("users/<uuid:user_id>/", views.user_report, name="user-report"),
    path("alerts/", views.alert_list, name="alert-list"),
    path("alerts/<uuid:alert_id>/", views.alert_detail, name="alert-detail"),
    path("rules/", views.rule_list, name="rule-list"),
    path("rules/<str:code>/", views.rule_edit, name="rule-edit"),
]
