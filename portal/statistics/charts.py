"""Charts as server-rendered SVG (pygal), each with the table of its data.

The SVG is inlined in the page: no script (pygal's tooltip script would come from a CDN and
its inline configuration is refused by the portal's content security policy, so both are
left out), ``role="img"`` with the chart's title as its name. The table next to it carries
the same numbers for screen readers and for reading exact values. In the national view a
suppressed figure is a gap in the chart and "< 3" (or "x") in the table.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass

import pygal
from django.core.cache import cache
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from pygal.style import Style

from portal.dossiers.models import ControlKind
from portal.statistics.presentation import Small

STYLE = Style(
    background="transparent",
    plot_background="transparent",
    font_family="system-ui, sans-serif",
    colors=("#9b1b30", "#2f6f8f", "#c88a12", "#4d7c3a"),
)
_SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL)


@dataclass(frozen=True)
class Chart:
    slug: str  # names the chart in its data's download address
    title: str
    svg: SafeString
    columns: list[str]
    rows: list[tuple[str, list]]


def _plotted(value):
    return None if isinstance(value, Small) else value


def _svg(graph, title: str, x_labels: list[str], series: list[tuple[str, list]], **options) -> SafeString:
    """The chart drawn by pygal as inline SVG. An SVG is a function of its data, so the same
    chart (same figures, labels and language) comes from the cache the next time: drawing
    one takes pygal about 15 ms."""
    title, x_labels = str(title), [str(label) for label in x_labels]
    series = [(str(name), values) for name, values in series]
    fingerprint = repr((graph.__name__, title, x_labels, series, sorted(options.items())))
    key = f"statistics-svg:{hashlib.sha256(fingerprint.encode()).hexdigest()}"
    svg = cache.get(key)
    if svg is None:
        chart = graph(**_config(title), **options)
        chart.x_labels = x_labels
        for name, values in series:
            chart.add(name, values)
        svg = _SCRIPT.sub("", chart.render(is_unicode=True))
        svg = svg.replace("<svg ", f'<svg role="img" aria-label="{escape(title)}" ', 1)
        cache.set(key, svg, timeout=24 * 3600)
    return mark_safe(svg)  # noqa: S308 (pygal's markup, our escaped title)


def _config(title: str) -> dict:
    return {
        "title": title,
        "style": STYLE,
        "js": [],
        "disable_xml_declaration": True,
        "height": 320,
        "width": 800,
        "show_y_guides": True,
        "legend_at_bottom": True,
        "print_values": False,
    }


def monthly_trend(by_month: dict[str, dict]) -> Chart:
    """Controls opened and cases closed, month by month (``by_month``: the page's rows)."""
    title = _("Controls opened and cases closed per month")
    months = list(by_month)
    rows = [(month, [values["controls"], values["closed"]]) for month, values in by_month.items()]
    series = [
        (_("Controls"), [_plotted(values[0]) for _m, values in rows]),
        (_("Closed"), [_plotted(values[1]) for _m, values in rows]),
    ]
    svg = _svg(pygal.Line, title, months, series, x_label_rotation=30)
    return Chart("monthly", title, svg, [_("Month"), _("Controls"), _("Closed")], rows)


def outcomes_by_kind(by_kind: dict[str, dict]) -> Chart:
    """Per kind of control: controls, and those with wage undercutting or working-time violations."""
    title = _("Controls and findings by kind of control")
    rows = []
    for kind, label in ControlKind.choices:
        values = by_kind.get(kind)
        if values is None:
            continue
        rows.append((str(label), [values["controls"], values["undercutting"], values["working_time"]]))
    series = [
        (_("Controls"), [_plotted(values[0]) for _l, values in rows]),
        (_("With wage undercutting"), [_plotted(values[1]) for _l, values in rows]),
        (_("With working-time violations"), [_plotted(values[2]) for _l, values in rows]),
    ]
    svg = _svg(pygal.Bar, title, [label for label, _values in rows], series)
    columns = [
        _("Kind of control"),
        _("Controls"),
        _("With wage undercutting"),
        _("With working-time violations"),
    ]
    return Chart("by-kind", title, svg, columns, rows)


SLUGS = ("monthly", "by-kind")


def as_csv(chart: Chart) -> bytes:
    """The chart's data table, as its table shows it ("< 3" and "x" included), UTF-8 with BOM."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([str(column) for column in chart.columns])
    for label, values in chart.rows:
        writer.writerow([label, *("" if value is None else str(value) for value in values)])
    return buffer.getvalue().encode("utf-8-sig")


def charts(*, by_month: dict[str, dict], by_kind: dict[str, dict]) -> list[Chart]:
    """The page's charts, drawn from the rows its tables show (nationally, with the same
    suppressions), so a chart's data gives away nothing the tables keep."""
    return [monthly_trend(by_month), outcomes_by_kind(by_kind)]
