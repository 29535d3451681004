from django.urls import path

from access_requests.api import views

app_name = "access-requests-api"

R = "<uuid:request_id>/"
ITEM = R + "items/<uuid:item_id>/"
BUNDLE = R + "bundles/<uuid:bundle_id>/"
C = "complaints/<uuid:complaint_id>/"

urlpatterns = [
    path("", views.RequestListView.as_view(), name="request-list"),
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
    path("bank-holidays/", views.BankHolidayListView.as_view(), name="bank-holiday-list"),
    path("complaints/", views.ComplaintListView.as_view(), name="complaint-list"),
    path(C, views.ComplaintDetailView.as_view(), name="complaint-detail"),
    path(C + "acknowledge/", views.ComplaintAcknowledgeView.as_view(), name="complaint-ack"),
    path(C + "respond/", views.ComplaintRespondView.as_view(), name="complaint-respond"),
    path(C + "withdraw/", views.ComplaintWithdrawView.as_view(), name="complaint-withdraw"),
    path(C + "person/", views.ComplaintPersonView.as_view(), name="complaint-person"),
    path(R, views.RequestDetailView.as_view(), name="request-detail"),
    path(R + "assign/", views.AssignView.as_view(), name="request-assign"),
    path(R + "requirements/", views.RequirementsView.as_view(), name="request-requirements"),
    path(R + "identity/", views.IdentityView.as_view(), name="request-identity"),
    path(R + "authority/", views.AuthorityView.as_view(), name="request-authority"),
    path(R + "fee/", views.FeeView.as_view(), name="request-fee"),
    path(R + "notes/", views.NoteView.as_view(), name="request-note"),
    path(R + "pause/", views.PauseView.as_view(), name="request-pause"),
    path(R + "resume/", views.ResumeView.as_view(), name="request-resume"),
    path(R + "extend/", views.ExtendView.as_view(), name="request-extend"),
    path(R + "identity-search/", views.IdentitySearchView.as_view(), name="identity-search"),
    path(R + "subjects/", views.SubjectListView.as_view(), name="subject-list"),
    path(R + "subjects/<uuid:link_id>/", views.SubjectDetailView.as_view(), name="subject-detail"),
    path(R + "collect/", views.CollectView.as_view(), name="request-collect"),
    path(R + "submit/", views.SubmitView.as_view(), name="request-submit"),
    path(R + "approve/", views.ApproveView.as_view(), name="request-approve"),
    path(R + "return/", views.ReturnView.as_view(), name="request-return"),
    path(R + "close/", views.CloseView.as_view(), name="request-close"),
    path(R + "corrections/", views.CorrectionView.as_view(), name="request-correction"),
    path(R + "disagreements/", views.DisagreementView.as_view(), name="request-disagreement"),
    path(R + "export/", views.ExportView.as_view(), name="request-export"),
    path(R + "items/", views.ItemListView.as_view(), name="item-list"),
    path(ITEM, views.ItemDetailView.as_view(), name="item-detail"),
    path(ITEM + "review/", views.ReviewView.as_view(), name="item-review"),
    path(ITEM + "redactions/", views.RedactionAddView.as_view(), name="redaction-add"),
    path(
        ITEM + "redactions/<uuid:redaction_id>/",
        views.RedactionDecideView.as_view(),
        name="redaction-decide",
    ),
    path(ITEM + "consultation/", views.ConsultationView.as_view(), name="item-consultation"),
    path(R + "bundles/", views.BundleListView.as_view(), name="bundle-list"),
    path(BUNDLE, views.BundleDetailView.as_view(), name="bundle-detail"),
    path(BUNDLE + "download/", views.BundleDownloadView.as_view(), name="bundle-download"),
    path(BUNDLE + "links/", views.BundleLinkView.as_view(), name="bundle-link"),
]
