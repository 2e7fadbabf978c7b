"""Staff, roles, regions, audit log and login log over the API. Thin: parse, declare the
permission (HasPermission calls roles.has_perm), call the service or selector."""

from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from roles import selectors
from roles.backends import client_ip
from roles.models import Role
from roles.permissions import SIGNED_IN
from roles.services import regions as region_services
from roles.services import role_admin
from roles.services import staff as staff_services


def _site_url(request):
    return f"{request.scheme}://{request.get_host()}"


class MeApi(APIView):
    """The signed-in account on this tenant."""

    permission = SIGNED_IN

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        email = serializers.EmailField()
        name = serializers.CharField()
        phone = serializers.CharField()
        kind = serializers.CharField()
        preferred_language = serializers.CharField()

        class Meta:
            ref_name = "Me"

    @extend_schema(responses=OutputSerializer)
    def get(self, request):
        return Response(self.OutputSerializer(request.user).data)


class StaffOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    name = serializers.CharField()
    phone = serializers.CharField()
    is_active = serializers.BooleanField()
    last_login = serializers.DateTimeField(allow_null=True)
    roles = serializers.SerializerMethodField()

    def get_roles(self, user) -> list[dict]:
        return [{"id": g.role.id, "key": g.role.key, "name": g.role.display_name}
                for g in user.groups.all() if hasattr(g, "role")]


class StaffListApi(ListAPIView):
    """GET: staff (filters ``q``, ``role``, ``status``). POST: invite a staff member."""

    permission = "manage_staff"
    serializer_class = StaffOutputSerializer

    class InviteSerializer(serializers.Serializer):
        email = serializers.EmailField(max_length=254)
        name = serializers.CharField(max_length=120)
        phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
        language = serializers.ChoiceField(choices=["zh-hans", "en"], required=False, default="")
        roles = serializers.ListField(child=serializers.IntegerField(), allow_empty=False)
        regions = serializers.ListField(child=serializers.IntegerField(), required=False,
                                        default=list)

    def get_queryset(self):
        g = self.request.query_params
        role = g.get("role")
        return selectors.staff_list(actor=self.request.user, query=g.get("q", ""),
                                    role_id=int(role) if (role or "").isdecimal() and role.isascii()
                                    else None,
                                    status=g.get("status", ""))

    @extend_schema(request=InviteSerializer, responses={201: StaffOutputSerializer})
    def post(self, request):
        data = self.InviteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        user = staff_services.staff_invite(
            actor=request.user, email=d["email"], name=d["name"], phone=d["phone"],
            language=d["language"], roles=staff_services.roles_by_ids(d["roles"]),
            regions=staff_services.regions_by_ids(d["regions"]), site_url=_site_url(request),
            ip=client_ip(request))
        return Response(StaffOutputSerializer(user).data, status=status.HTTP_201_CREATED)


class StaffDetailApi(APIView):
    """GET a staff member; PATCH name, phone, roles, regions or ``is_active``."""

    permission = "manage_staff"

    class UpdateSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=120, required=False, allow_blank=True)
        phone = serializers.CharField(max_length=32, required=False, allow_blank=True)
        roles = serializers.ListField(child=serializers.IntegerField(), required=False)
        regions = serializers.ListField(child=serializers.IntegerField(), required=False)
        is_active = serializers.BooleanField(required=False)

    def _member(self, pk):
        member = selectors.staff_get(actor=self.request.user, pk=pk)
        if member is None:
            raise Http404
        return member

    @extend_schema(responses=StaffOutputSerializer)
    def get(self, request, pk):
        return Response(StaffOutputSerializer(self._member(pk)).data)

    @extend_schema(request=UpdateSerializer, responses=StaffOutputSerializer)
    def patch(self, request, pk):
        member = self._member(pk)
        data = self.UpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        ip = client_ip(request)
        with transaction.atomic():  # all of the change, or none of it
            self._apply(request, member, d, ip)
        member.refresh_from_db()
        return Response(StaffOutputSerializer(member).data)

    def _apply(self, request, member, d, ip):
        if {"name", "phone", "roles", "regions"} & set(d):
            staff_services.staff_update(
                actor=request.user, user=member, name=d.get("name", member.name),
                phone=d.get("phone", member.phone),
                roles=(staff_services.roles_by_ids(d["roles"]) if "roles" in d
                       else list(Role.objects.filter(group__user=member))),
                regions=(staff_services.regions_by_ids(d["regions"]) if "regions" in d
                         else staff_services.regions_by_ids(
                             list(staff_services.staff_region_ids(member)))),
                ip=ip)
        if "is_active" in d and d["is_active"] != member.is_active:
            staff_services.staff_set_active(actor=request.user, user=member,
                                            active=d["is_active"], ip=ip)


class RoleOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    key = serializers.CharField(allow_null=True)
    builtin = serializers.BooleanField()
    name = serializers.CharField(source="display_name")
    name_en = serializers.CharField()
    name_zh = serializers.CharField()
    description = serializers.CharField(source="display_description")
    permissions = serializers.SerializerMethodField()

    def get_permissions(self, role) -> list[str]:
        return sorted(p.codename for p in role.group.permissions.all())


class RoleInputSerializer(serializers.Serializer):
    name_en = serializers.CharField(max_length=80, required=False, allow_blank=True, default="")
    name_zh = serializers.CharField(max_length=80, required=False, allow_blank=True, default="")
    description = serializers.CharField(max_length=300, required=False, allow_blank=True,
                                        default="")
    permissions = serializers.ListField(child=serializers.CharField())


class RoleListApi(ListAPIView):
    """GET: every role with its permissions. POST: create a custom role."""

    permission = "manage_roles"
    serializer_class = RoleOutputSerializer
    pagination_class = None

    def get_queryset(self):
        return selectors.role_list(actor=self.request.user)

    @extend_schema(request=RoleInputSerializer, responses={201: RoleOutputSerializer})
    def post(self, request):
        data = RoleInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        role = role_admin.role_create(actor=request.user, ip=client_ip(request),
                                      **data.validated_data)
        return Response(RoleOutputSerializer(role).data, status=status.HTTP_201_CREATED)


class RoleDetailApi(APIView):
    """GET a role; PUT a custom role's names and permissions; DELETE a custom role."""

    permission = "manage_roles"

    def _role(self, pk):
        return get_object_or_404(Role.objects.select_related("group"), pk=pk)

    @extend_schema(responses=RoleOutputSerializer)
    def get(self, request, pk):
        return Response(RoleOutputSerializer(self._role(pk)).data)

    @extend_schema(request=RoleInputSerializer, responses=RoleOutputSerializer)
    def put(self, request, pk):
        role = self._role(pk)
        data = RoleInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        role = role_admin.role_update(actor=request.user, role=role, ip=client_ip(request),
                                      **data.validated_data)
        return Response(RoleOutputSerializer(role).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk):
        role_admin.role_delete(actor=request.user, role=self._role(pk), ip=client_ip(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class RegionSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=80)
    code = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    parent = serializers.IntegerField(required=False, allow_null=True, default=None,
                                      source="parent_id")


class RegionListApi(APIView):
    """GET: the region tree (flat, parents first). POST: add a region."""

    permissions = {"GET": "view_customers", "POST": "manage_settings"}

    @extend_schema(responses=RegionSerializer(many=True))
    def get(self, request):
        return Response(RegionSerializer(
            selectors.region_tree(actor=request.user, scoped=True), many=True).data)

    @extend_schema(request=RegionSerializer, responses={201: RegionSerializer})
    def post(self, request):
        from roles.models import Region

        data = RegionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        parent_id = data.validated_data.get("parent_id")
        parent = get_object_or_404(Region, pk=parent_id) if parent_id else None
        region = region_services.region_create(
            actor=request.user, name=data.validated_data["name"], parent=parent,
            code=data.validated_data["code"], ip=client_ip(request))
        return Response(RegionSerializer(region).data, status=status.HTTP_201_CREATED)


class AuditLogApi(ListAPIView):
    """The audit log, newest first (filters ``q``, ``action``, ``since``, ``until``)."""

    permission = "view_audit_log"

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        created_at = serializers.DateTimeField()
        actor = serializers.CharField(source="actor_label")
        action = serializers.CharField()
        object_type = serializers.CharField()
        object_id = serializers.CharField()
        object_repr = serializers.CharField()
        before = serializers.JSONField()
        after = serializers.JSONField()
        ip_address = serializers.CharField(allow_null=True)

        class Meta:
            ref_name = "AuditEntry"

    serializer_class = OutputSerializer

    def get_queryset(self):
        g = self.request.query_params
        return selectors.audit_log_list(actor=self.request.user, query=g.get("q", ""),
                                        action=g.get("action", ""),
                                        since=g.get("since") or None, until=g.get("until") or None)


class LoginLogApi(ListAPIView):
    """Sign-in attempts, newest first (filters ``q``, ``result=ok|failed``)."""

    permission = "view_audit_log"

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        created_at = serializers.DateTimeField()
        identifier = serializers.CharField()
        success = serializers.BooleanField()
        ip_address = serializers.CharField(allow_null=True)
        user_agent = serializers.CharField()

        class Meta:
            ref_name = "LoginRecord"

    serializer_class = OutputSerializer

    def get_queryset(self):
        g = self.request.query_params
        success = {"ok": True, "failed": False}.get(g.get("result", ""))
        return selectors.login_log_list(actor=self.request.user, query=g.get("q", ""),
                                        success=success)


class StaffPasswordResetApi(APIView):
    """POST: e-mail the staff member a link to choose a new password."""

    permission = "manage_staff"

    @extend_schema(request=None, responses={202: None})
    def post(self, request, pk):
        member = selectors.staff_get(actor=request.user, pk=pk)
        if member is None:
            raise Http404
        staff_services.staff_send_password_reset(actor=request.user, user=member,
                                                 site_url=_site_url(request),
                                                 ip=client_ip(request))
        return Response(status=status.HTTP_202_ACCEPTED)


class ApiKeySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    prefix = serializers.CharField()
    user = serializers.EmailField(source="user.email")
    created_at = serializers.DateTimeField()
    last_used_at = serializers.DateTimeField(allow_null=True)
    revoked_at = serializers.DateTimeField(allow_null=True)


class ApiKeyListApi(ListAPIView):
    """GET: the keys (never their secrets). POST: create one; the response carries the
    key once, in ``key``."""

    permission = "manage_api_keys"
    serializer_class = ApiKeySerializer

    class CreateSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=80)
        user = serializers.IntegerField(help_text="The staff member the key acts as.")

    def get_queryset(self):
        return selectors.api_key_list(actor=self.request.user)

    @extend_schema(request=CreateSerializer, responses={201: ApiKeySerializer})
    def post(self, request):
        from roles.services.api_keys import api_key_create

        data = self.CreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = selectors.staff_get(actor=request.user, pk=data.validated_data["user"])
        if user is None:
            raise Http404
        key, raw = api_key_create(actor=request.user, user=user,
                                  name=data.validated_data["name"], ip=client_ip(request))
        return Response({**ApiKeySerializer(key).data, "key": raw},
                        status=status.HTTP_201_CREATED)


class ApiKeyDetailApi(APIView):
    """DELETE: revoke a key (it stops working at once)."""

    permission = "manage_api_keys"

    @extend_schema(responses={204: None})
    def delete(self, request, pk):
        from roles.models import ApiKey
        from roles.services.api_keys import api_key_revoke

        api_key_revoke(actor=request.user, key=get_object_or_404(ApiKey, pk=pk),
                       ip=client_ip(request))
        return Response(status=status.HTTP_204_NO_CONTENT)
