"""Rendering the dossier list's rows and filter options in Python.

The list is the portal's busiest page; at 50 rows the template language spent more time
resolving variables than the database spent finding the rows. These tags produce the
same markup with ``format_html`` (escaping included) at a fraction of the cost.
"""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from portal.dossiers.workflow import Status

register = template.Library()


@register.simple_tag
def select_options(bound_field) -> SafeString:
    current = "" if bound_field.value() is None else str(bound_field.value())
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (value, mark_safe(" selected") if str(value) == current else "", label)
            for value, label in bound_field.field.choices
        ),
    )


def _date(value) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT") if value else "–"


@register.simple_tag
def dossier_rows(dossiers, my_organisations) -> SafeString:
    today = timezone.localdate()
    select, overdue, shared, on_hold = _("Select"), _("overdue"), _("shared"), _("on hold")
    base = reverse("dossiers:detail", args=[0])[: -len("0/")]
    rows = []
    for dossier in dossiers:
        late = dossier.deadline and dossier.deadline < today and dossier.status != Status.CLOSED
        rows.append(
            format_html(
                "<tr>"
                '<td><input type="checkbox" name="dossiers" value="{pk}" id="select-{pk}" aria-label="{select} {ref}"></td>'
                '<td class="nowrap"><a href="{base}{pk}/">{ref}</a></td>'
                "<td>{company}{uid}</td>"
                "<td>{canton}</td>"
                '<td><span class="status status--{status}">{status_label}</span></td>'
                "<td>{deadline}{late}</td>"
                "<td>{owner}{shared}</td>"
                "<td>{destruction}</td>"
                "</tr>",
                pk=dossier.pk,
                select=select,
                ref=dossier.reference,
                base=base,
                company=dossier.company_name,
                uid=format_html("<br><small>{}</small>", dossier.company_uid_display)
                if dossier.company_uid
                else "",
                canton=dossier.canton,
                status=dossier.status,
                status_label=dossier.get_status_display(),
                deadline=_date(dossier.deadline),
                late=format_html(' <strong class="badge badge--warn">{}</strong>', overdue) if late else "",
                owner=dossier.owner.short_name,
                shared=format_html(' <span class="badge">{}</span>', shared)
                if dossier.owner_id not in my_organisations
                else "",
                destruction=on_hold if dossier.legal_hold_reason else _date(dossier.destroy_after),
            )
        )
    return mark_safe("".join(rows))  # noqa: S308 - every part went through format_html


@register.simple_tag(takes_context=True)
def sort_header(context, key: str, label: str) -> SafeString:
    """A column header that sorts the list by ``key``; clicking the sorted column reverses it."""
    params = context["request"].GET.copy()
    current = params.get("sort") or "-created"
    state = {key: "ascending", f"-{key}": "descending"}.get(current)
    params.pop("page", None)
    params["sort"] = f"-{key}" if state == "ascending" else key
    arrow = {"ascending": "▲", "descending": "▼"}.get(state, "↕")
    return format_html(
        '<th scope="col"{}><a class="sort-link" href="?{}">{} <span aria-hidden="true">{}</span></a></th>',
        format_html(' aria-sort="{}"', state) if state else "",
        params.urlencode(),
        label,
        arrow,
    )


@register.simple_tag(takes_context=True)
def export_url(context, fmt: str) -> str:
    """The export address for the list as filtered now."""
    params = context["request"].GET.copy()
    params.pop("page", None)
    params["format"] = fmt
    return f"{reverse('dossiers:export')}?{params.urlencode()}"
