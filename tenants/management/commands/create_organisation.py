"""Create an organisation and invite its first administrator (platform operators' tool)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tenants.actions import OrganisationData, create_organisation
from tenants.models import Canton, OrganisationKind


class Command(BaseCommand):
    help = "Create an organisation (tenant) and invite its first administrator by e-mail."

    def add_arguments(self, parser):
        parser.add_argument("--slug", required=True)
        parser.add_argument("--short-name", required=True)
        parser.add_argument("--kind", required=True, choices=OrganisationKind.values)
        parser.add_argument("--canton", required=True, choices=Canton.values)
        parser.add_argument("--name-de", required=True)
        parser.add_argument("--name-fr", required=True)
        parser.add_argument("--name-it", required=True)
        parser.add_argument("--name-en", required=True)
        parser.add_argument("--email", default="")
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--admin-first-name", default="")
        parser.add_argument("--admin-last-name", default="")

    def handle(self, *args, **options):
        data = OrganisationData(
            slug=options["slug"],
            short_name=options["short_name"],
            kind=options["kind"],
            canton=options["canton"],
            name_de=options["name_de"],
            name_fr=options["name_fr"],
            name_it=options["name_it"],
            name_en=options["name_en"],
            email=options["email"],
        )
        try:
            organisation, membership = create_organisation(
                data=data,
                admin_email=options["admin_email"],
                admin_first_name=options["admin_first_name"],
                admin_last_name=options["admin_last_name"],
                acting_user=None,
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {organisation.short_name} ({organisation.slug}); invitation sent to {membership.user.email}."
            )
        )
