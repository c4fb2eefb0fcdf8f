from tenants.context import EMPTY


def organisation(request):
    tenant = getattr(request, "tenant", EMPTY)
    return {"tenant": tenant}
