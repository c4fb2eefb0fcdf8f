from __future__ import annotations

import factory

from tenants.models import Membership, Organisation
from tenants.roles import Role
from tests.accounts.factories import EnrolledUserFactory


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    slug = factory.Sequence(lambda n: f"org-{n}")
    short_name = factory.Sequence(lambda n: f"ORG {n}")
    name_de = factory.LazyAttribute(lambda o: f"Organisation {o.short_name}")
    name_fr = factory.LazyAttribute(lambda o: f"Organisation {o.short_name} (fr)")
    name_it = factory.LazyAttribute(lambda o: f"Organizzazione {o.short_name}")
    name_en = factory.LazyAttribute(lambda o: f"Organisation {o.short_name} (en)")
    kind = "cantonal_authority"
    canton = "GE"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(EnrolledUserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.CASE_WORKER
