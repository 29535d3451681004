from django.urls import path

from audit.api import views

app_name = "audit-api"

urlpatterns = [
    path("events/", views.EventListView.as_view(), name="event-list"),
    path("alerts/", views.AlertListView.as_view(), name="alert-list"),
    path("alerts/<uuid:alert_id>/", views.AlertDetailView.as_view(), name="alert-detail"),
    path("alerts/<uuid:alert_id>/review/", views.AlertReviewView.as_view(), name="alert-review"),
    path("rules/", views.RuleListView.as_view(), name="rule-list"),
    path("rules/<str:code>/", views.RuleDetailView.as_view(), name="rule-detail"),
]
