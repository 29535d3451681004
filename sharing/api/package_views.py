"""The outbound package API: thin views over ``sharing.packages``.

- **404** ``{"detail": "Not found."}`` for a sharing or package of a sharing the caller may not
  see, exactly as for one that does not exist.
- **403** when the caller sees the sharing but may not handle its package: they do not see
  every person and record in it, or neither recorded it nor work on one of its people's cases.
- **400** with field errors for bad input and for the packages' refusals (a sharing awaiting
  authorisation, a package not ready, a second link for one address, an address outside the
  agency's secure domain); nothing is written.

A package's status and links name no one whose information it holds; the download is recorded
as an export naming them all. The link's token is emailed to the recipient and never returned.
"""

from __future__ import annotations

from typing import Any, cast

from django.http import FileResponse, Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from core.api.permissions import IsSignedInStaff
from core.api.serializers import OutputSerializer
from sharing import packages
from sharing.models import PackageLink, SharingPackage, SharingRecord

NOT_FOUND = OpenApiResponse(description="Not found, or not yours to see (the same answer)")
BAD_INPUT = OpenApiResponse(description="Field errors; nothing was saved")
REFUSED = OpenApiResponse(description="You may see this sharing but not handle its package")


# --- Serializers -----------------------------------------------------------------------------


class PackageLinkSerializer(OutputSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    state = serializers.SerializerMethodField(help_text="waiting, downloaded, expired or revoked")

    class Meta:
        model = PackageLink
        fields = [
            "id",
            "recipient_name",
            "recipient_email",
            "state",
            "expires_at",
            "used_at",
            "revoked_at",
            "created_at",
        ]

    def get_state(self, link: PackageLink) -> str:
        return packages.link_state(link).lower()


class PackageSerializer(OutputSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    sharing = serializers.UUIDField(source="sharing.public_id", read_only=True)
    links = serializers.SerializerMethodField()

    class Meta:
        model = SharingPackage
        fields = [
            "id",
            "sharing",
            "status",
            "pages",
            "size",
            "sha256",
            "error",
            "requested_at",
            "started_at",
            "finished_at",
            "links",
        ]

    @extend_schema_field(PackageLinkSerializer(many=True))
    def get_links(self, package: SharingPackage) -> Any:
        links = [link for link, _state in packages.package_links(package)]
        return PackageLinkSerializer(links, many=True).data


class PackageLinkInputSerializer(serializers.Serializer):
    recipient_name = serializers.CharField(max_length=200)
    recipient_email = serializers.EmailField(
        help_text="At the agency's secure email domain, when it has one. One link per address."
    )


# --- Views -----------------------------------------------------------------------------------


class PackageAPIView(APIView):
    permission_classes = [IsSignedInStaff]

    def handle_exception(self, exc: Exception) -> Response:
        # Whatever a selector says about why, a hidden thing and a missing one look the same.
        if isinstance(exc, Http404):
            exc = NotFound()
        return super().handle_exception(exc)


def _actor(request: Request) -> User:
    return cast("User", request.user)


def _require_handler(user: User, sharing: SharingRecord) -> None:
    refusal = packages.handling_refusal(user, sharing)
    if refusal:
        raise PermissionDenied(refusal)


def _package(request: Request, package_id: Any) -> SharingPackage:
    return packages.package_get_for_user(user=_actor(request), package_id=package_id)


def _answer(user: User, package: SharingPackage, code: int = status.HTTP_200_OK) -> Response:
    # Read again: the service may have changed it.
    package = packages.package_get_for_user(user=user, package_id=package.public_id)
    return Response(PackageSerializer(package).data, status=code)


class PackageRequestView(PackageAPIView):
    @extend_schema(
        summary="Prepare the package of a sharing",
        description=(
            "A PDF of the records shared, each as it stood when shared, with a cover sheet "
            "naming the recipient, the purpose and the legal basis. Only for a sharing that "
            "has been done. Prepared by a worker: poll the package for its status."
        ),
        request=None,
        responses={202: PackageSerializer, 400: BAD_INPUT, 403: REFUSED, 404: NOT_FOUND},
    )
    def post(self, request: Request, sharing_id: Any) -> Response:
        user = _actor(request)
        sharing = packages.sharing_for_package(user=user, sharing_id=sharing_id)
        _require_handler(user, sharing)
        package = packages.package_request(actor=user, sharing=sharing)
        return _answer(user, package, status.HTTP_202_ACCEPTED)


class PackageDetailView(PackageAPIView):
    @extend_schema(
        summary="A package's status and its links",
        responses={200: PackageSerializer, 404: NOT_FOUND},
    )
    def get(self, request: Request, package_id: Any) -> Response:
        return _answer(_actor(request), _package(request, package_id))


class PackageDownloadView(PackageAPIView):
    @extend_schema(
        summary="Download a ready package (PDF)",
        description="Recorded as an export naming everyone the package is about.",
        responses={
            (200, "application/pdf"): OpenApiResponse(description="The package"),
            403: REFUSED,
            404: NOT_FOUND,
        },
    )
    def get(self, request: Request, package_id: Any) -> FileResponse:
        user = _actor(request)
        package = _package(request, package_id)
        _require_handler(user, package.sharing)
        if package.status != SharingPackage.Status.READY or not package.file:
            raise NotFound()
        try:
            handle = package.file.open("rb")
        except (FileNotFoundError, ValueError):
            raise NotFound() from None
        try:
            packages.package_download_record(actor=user, package=package)
        except Exception:
            handle.close()
            raise
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=f"{package.sharing.reference}-package.pdf",
            content_type="application/pdf",
        )
        response["Cache-Control"] = "no-store"
        return response


class PackageLinkView(PackageAPIView):
    @extend_schema(
        summary="Email a recipient a link to download the package once",
        description=(
            "The link goes to the address given, which must be at the agency's secure email "
            "domain when it has one; each address gets one link. The token is emailed, never "
            "returned: only its hash is kept."
        ),
        request=PackageLinkInputSerializer,
        responses={201: PackageLinkSerializer, 400: BAD_INPUT, 403: REFUSED, 404: NOT_FOUND},
    )
    def post(self, request: Request, package_id: Any) -> Response:
        user = _actor(request)
        package = _package(request, package_id)
        _require_handler(user, package.sharing)
        serializer = PackageLinkInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        link, _token = packages.package_link_create(
            actor=user,
            package=package,
            recipient_name=serializer.validated_data["recipient_name"],
            recipient_email=serializer.validated_data["recipient_email"],
            base_url=request.build_absolute_uri("/"),
        )
        return Response(PackageLinkSerializer(link).data, status=status.HTTP_201_CREATED)


class PackageLinkRevokeView(PackageAPIView):
    @extend_schema(
        summary="Revoke a recipient's link",
        request=None,
        responses={200: PackageLinkSerializer, 400: BAD_INPUT, 403: REFUSED, 404: NOT_FOUND},
    )
    def post(self, request: Request, package_id: Any, link_id: Any) -> Response:
        user = _actor(request)
        package = _package(request, package_id)
        link = packages.link_get_for_user(user=user, package=package, link_id=link_id)
        _require_handler(user, package.sharing)
        link = packages.package_link_revoke(actor=user, link=link)
        return Response(PackageLinkSerializer(link).data)
