"""The umbrella association's knowledge section: Wagtail pages, each with an optional audience."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.blocks import StreamValue
from wagtail.contrib.table_block.blocks import TableBlock
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index
from wagtail.snippets.models import register_snippet

from portal.knowledge.languages import breadcrumbs, in_every_language, one_per_page
from tenants.models import OrganisationKind


@register_snippet
class Pool(models.Model):
    """A specialist pool or coordination body: its members are the people of its organisations."""

    name = models.CharField(_("name"), max_length=120)
    organisations = models.ManyToManyField(
        "tenants.Organisation", related_name="pools", verbose_name=_("organisations")
    )

    panels = [FieldPanel("name"), FieldPanel("organisations")]

    class Meta:
        verbose_name = _("pool or coordination body")
        verbose_name_plural = _("pools and coordination bodies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Audience(Orderable):
    """One allowed audience of a page: a kind of organisation or a pool. No rows: every signed-in member."""

    page = ParentalKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="knowledge_audience")
    organisation_kind = models.CharField(
        _("kind of organisation"), max_length=40, choices=OrganisationKind.choices, blank=True
    )
    pool = models.ForeignKey(Pool, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("pool"))

    panels = [FieldPanel("organisation_kind"), FieldPanel("pool")]

    class Meta(Orderable.Meta):
        verbose_name = _("audience")
        verbose_name_plural = _("audience")

    def __str__(self) -> str:
        return self.get_organisation_kind_display() or str(self.pool)


AUDIENCE_PANEL = InlinePanel(
    "knowledge_audience",
    heading=_("Audience"),
    label=_("Audience"),
    help_text=_(
        "Leave empty for all members. Otherwise only these kinds of organisation or pools see the page and everything below it."
    ),
)


class CalloutBlock(blocks.StructBlock):
    tone = blocks.ChoiceBlock(
        choices=[("info", _("Note")), ("warning", _("Warning")), ("important", _("Important"))],
        default="info",
        label=_("Tone"),
    )
    text = blocks.RichTextBlock(features=["bold", "italic", "link"], label=_("Text"))

    class Meta:
        template = "knowledge/blocks/callout.html"
        icon = "warning"
        label = _("Call-out")


class FaqBlock(blocks.StructBlock):
    question = blocks.CharBlock(label=_("Question"))
    answer = blocks.RichTextBlock(features=["bold", "italic", "link", "ol", "ul"], label=_("Answer"))

    class Meta:
        template = "knowledge/blocks/faq.html"
        icon = "help"
        label = _("FAQ item")


class DocumentLinkBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("Document"))
    description = blocks.CharBlock(required=False, label=_("Description"))

    class Meta:
        template = "knowledge/blocks/document.html"
        icon = "doc-full"
        label = _("Document to download")


BODY_BLOCKS = [
    (
        "text",
        blocks.RichTextBlock(
            features=["h2", "h3", "bold", "italic", "link", "ol", "ul", "document-link", "image"]
        ),
    ),
    ("callout", CalloutBlock()),
    ("table", TableBlock()),
    ("faq", FaqBlock()),
    ("document", DocumentLinkBlock()),
]


def reader_language() -> str:
    return translation.get_language() or settings.LANGUAGE_CODE


class KnowledgePage(Page):
    """What every knowledge page shares: the audience, the introduction, search fields."""

    intro = models.TextField(_("introduction"), blank=True)

    search_fields = [*Page.search_fields, index.SearchField("intro")]
    content_panels = [*Page.content_panels, FieldPanel("intro")]
    settings_panels = [*Page.settings_panels, AUDIENCE_PANEL]

    class Meta:
        abstract = True

    def get_context(self, request, *args, **kwargs):
        from portal.knowledge.audiences import visible

        context = super().get_context(request, *args, **kwargs)
        children = Page.objects.live().filter(in_every_language(self), depth=self.depth + 1)
        context["children"] = one_per_page(
            visible(request.user, children.order_by("path").specific()), reader_language()
        )
        context["translations"] = visible(request.user, self.get_translations().live())
        context["breadcrumbs"] = breadcrumbs(self, reader_language())
        return context

    def search_text(self) -> str:
        """The page's words for the portal's search: its search fields, StreamField blocks included."""
        parts: list[str] = []
        for field in self.get_search_fields():
            if not isinstance(field, index.SearchField) or field.field_name == "title":
                continue
            value = getattr(self, field.field_name, None)
            if isinstance(value, StreamValue):
                parts += value.stream_block.get_searchable_content(value)
            elif value:
                parts.append(str(value))
        return "\n".join(" ".join(strip_tags(part).split()) for part in parts if part)


class KnowledgeHome(KnowledgePage):
    subpage_types = ["knowledge.TopicPage", "knowledge.EventPage"]
    parent_page_types = ["wagtailcore.Page"]
    template = "knowledge/home.html"

    class Meta:
        verbose_name = _("knowledge home")

    def get_context(self, request, *args, **kwargs):
        from portal.knowledge.audiences import visible

        context = super().get_context(request, *args, **kwargs)
        # Events are children of the home too, but they have their own list, not "Topics".
        context["children"] = [page for page in context["children"] if isinstance(page, TopicPage)]
        below = Page.objects.live().filter(in_every_language(self), depth__gt=self.depth).specific()
        language = reader_language()
        latest = below.type(GuidancePage, DownloadsPage).order_by("-last_published_at")
        context["latest"] = one_per_page(visible(request.user, latest), language)[:8]
        events = below.type(EventPage).order_by("path")
        context["events"] = one_per_page(visible(request.user, events), language)
        return context


class TopicPage(KnowledgePage):
    # Topics nest, so that a Plone site's folders keep their depth when imported.
    parent_page_types = ["knowledge.KnowledgeHome", "knowledge.TopicPage"]
    subpage_types = [
        "knowledge.TopicPage",
        "knowledge.GuidancePage",
        "knowledge.DownloadsPage",
        "knowledge.EventPage",
    ]
    template = "knowledge/topic.html"

    class Meta:
        verbose_name = _("topic")


class GuidancePage(KnowledgePage):
    class Kind(models.TextChoices):
        DIRECTIVE = "directive", _("Directive")
        RECOMMENDATION = "recommendation", _("Recommendation")
        POSITION = "position", _("Position paper")
        FAQ = "faq", _("FAQ")
        REPORT = "report", _("Report of a pool or coordination body")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.RECOMMENDATION)
    effective_date = models.DateField(_("effective from"), null=True, blank=True)
    supersedes = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("supersedes"),
    )
    body = StreamField(BODY_BLOCKS, blank=True, verbose_name=_("body"))

    search_fields = [*KnowledgePage.search_fields, index.SearchField("body")]
    content_panels = [
        *KnowledgePage.content_panels,
        MultiFieldPanel(
            [FieldPanel("kind"), FieldPanel("effective_date"), FieldPanel("supersedes")], heading=_("Status")
        ),
        FieldPanel("body"),
    ]
    parent_page_types = ["knowledge.TopicPage"]
    subpage_types: list[str] = []
    template = "knowledge/guidance.html"

    class Meta:
        verbose_name = _("guidance")


class DownloadsPage(KnowledgePage):
    """Templates and forms to download."""

    files = StreamField([("document", DocumentLinkBlock())], blank=True, verbose_name=_("files"))

    search_fields = [*KnowledgePage.search_fields, index.SearchField("files")]

    content_panels = [*KnowledgePage.content_panels, FieldPanel("files")]
    parent_page_types = ["knowledge.TopicPage"]
    subpage_types: list[str] = []
    template = "knowledge/guidance.html"

    class Meta:
        verbose_name = _("templates and forms")


class EventPage(KnowledgePage):
    class Kind(models.TextChoices):
        TRAINING = "training", _("Training")
        POOL_MEETING = "pool_meeting", _("Pool meeting")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.TRAINING)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200)
    registration_url = models.URLField(_("registration"), blank=True)

    search_fields = [*KnowledgePage.search_fields, index.SearchField("place")]

    content_panels = [
        *KnowledgePage.content_panels,
        MultiFieldPanel(
            [
                FieldPanel("kind"),
                FieldPanel("starts_at"),
                FieldPanel("ends_at"),
                FieldPanel("place"),
                FieldPanel("registration_url"),
            ],
            heading=_("Event"),
        ),
    ]
    parent_page_types = ["knowledge.KnowledgeHome", "knowledge.TopicPage"]
    subpage_types: list[str] = []
    template = "knowledge/event.html"

    class Meta:
        verbose_name = _("event")


class PloneItem(models.Model):
    """What an item of a Plone export became, keyed by its Plone UID, so that importing the
    same export again updates instead of duplicating (``portal/knowledge/plone/``)."""

    uid = models.CharField(max_length=64, unique=True)
    portal_type = models.CharField(max_length=60)
    path = models.CharField(max_length=1000, help_text="The item's path below the Plone site root.")
    checksum = models.CharField(max_length=64, help_text="SHA-256 of the item as exported, blob included.")
    page = models.ForeignKey("wagtailcore.Page", null=True, on_delete=models.SET_NULL, related_name="+")
    document = models.ForeignKey(
        "wagtaildocs.Document", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    image = models.ForeignKey("wagtailimages.Image", null=True, on_delete=models.SET_NULL, related_name="+")
    container = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="For files and images: the page of the folder they were in; its audience applies.",
    )
    created = models.DateTimeField(null=True)
    modified = models.DateTimeField(null=True)
    effective = models.DateTimeField(null=True)
    creators = models.JSONField(default=list)
    review_state = models.CharField(max_length=60, blank=True)
    imported_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.portal_type} {self.path}"
