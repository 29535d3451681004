from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Membership, User


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=512, trim_whitespace=False, write_only=True)
    otp_token = serializers.CharField(
        max_length=12,
        required=False,
        allow_blank=True,
        help_text="The 6-digit code from the authenticator app, when MFA is required.",
    )


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField()


class MembershipSerializer(serializers.ModelSerializer):
    team = serializers.CharField(source="team.name")
    team_id = serializers.UUIDField(source="team.public_id")
    service = serializers.CharField(source="team.service")
    organisation = serializers.CharField(source="team.organisation.name")

    class Meta:
        model = Membership
        fields = ["team", "team_id", "service", "organisation", "role", "starts_on", "ends_on"]


class MeSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")
    full_name = serializers.CharField(source="get_full_name")
    memberships = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "full_name", "email", "job_title", "memberships"]

    @extend_schema_field(MembershipSerializer(many=True))
    def get_memberships(self, user: User) -> list[dict[str, object]]:
        from accounts.selectors import membership_list_for_user

        return MembershipSerializer(membership_list_for_user(user=user), many=True).data  # type: ignore[return-value]
