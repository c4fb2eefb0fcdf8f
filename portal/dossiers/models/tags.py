"""Dossier tags: a set per owner organisation, apart from the CMS's tags.

Wagtail lists taggit's global ``Tag`` table to every CMS user (``/cms/tag-autocomplete/``),
so dossier tags have their own table, keyed by the owner organisation: a name is unique per
organisation, and one organisation's tags never appear to another, nor in any CMS view
(``portal/urls.py`` closes Wagtail's per-model autocomplete for this app).
The manager files every new tag under the dossier's owner, whoever adds it.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from taggit.managers import _TaggableManager
from taggit.models import ItemBase, TagBase


class DossierTag(TagBase):
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100, allow_unicode=True)
    organisation = models.ForeignKey(
        "tenants.Organisation", on_delete=models.CASCADE, related_name="+", verbose_name=_("organisation")
    )

    class Meta:
        verbose_name = _("dossier tag")
        verbose_name_plural = _("dossier tags")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="one_dossier_tag_name_per_organisation"
            )
        ]


class TaggedDossier(ItemBase):
    tag = models.ForeignKey(DossierTag, on_delete=models.CASCADE, related_name="items")
    content_object = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.CASCADE, related_name="tagged_items"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["content_object", "tag"], name="one_tag_per_dossier")]


class OwnerTagManager(_TaggableManager):
    """Looks up and creates tags in the dossier owner's set only."""

    def _to_tag_model_instances(self, tags, tag_kwargs):
        return super()._to_tag_model_instances(
            tags, {**tag_kwargs, "organisation_id": self.instance.owner_id}
        )
