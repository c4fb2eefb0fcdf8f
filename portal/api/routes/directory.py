"""The directory of organisations, to choose whom to share with or hand over to."""

from __future__ import annotations

from ninja import Router

from portal.api.api import errors
from portal.api.common import need
from portal.api.problems import Problem
from portal.api.schemas import Organisation
from tenants.models import Organisation as OrganisationModel

router = Router(tags=["directory"])


@router.get("", response={200: list[Organisation], errors(): Problem}, summary="Organisations")
def organisations(request):
    need(request, "read")
    return [
        {
            "id": o.pk,
            "slug": o.slug,
            "short_name": o.short_name,
            "name": o.name,
            "kind": o.kind,
            "canton": o.canton,
        }
        for o in OrganisationModel.objects.active().order_by("short_name", "id")
    ]
