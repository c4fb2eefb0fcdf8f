"""Tenants: the execution bodies (organisations), their members and roles.

Tenant isolation is the portal's first promise. Everything a person may do inside an
organisation follows from their membership's role, defined once in :mod:`tenants.roles`
and asked through :mod:`tenants.policies`.
"""
