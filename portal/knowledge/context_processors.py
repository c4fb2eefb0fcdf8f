"""Whether the header links to the CMS: decided from the request's memberships, no query."""

from __future__ import annotations

from portal.knowledge.editors import edits_knowledge


def cms_link(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"edits_knowledge": False}
    # A callable: the template asks only where it shows the link.
    return {"edits_knowledge": lambda: edits_knowledge(user, request.tenant.memberships)}
