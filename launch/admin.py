"""The Plan admin with what needs the plan format: "New plan from template" and the YAML export.

plans.admin registers the Plan admin without them (plans never imports the format); this app, which
sits on top of every other, replaces that registration with a subclass that adds them."""

from __future__ import annotations

import functools
import zoneinfo
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from plans import admin as plans_admin
from plans.admin import actor
from plans.models import Plan
from roles.admin_assign import AssignPeopleMixin

from .format import PlanFormatError, builtin_templates, template_text
from .format.exporter import export_plan
from .services.importer import import_plan_text


class PlanAdmin(AssignPeopleMixin, plans_admin.PlanAdmin):
    actions = ["export_yaml"]
    change_list_template = "admin/plans/plan/change_list.html"

    @admin.action(description="Export selected plans as plan-format YAML")
    def export_yaml(self, request: HttpRequest, queryset: Any) -> HttpResponse:
        body = "\n---\n".join(export_plan(p) for p in queryset.order_by("slug"))
        name = queryset.first().slug if queryset.count() == 1 else "plans"
        response = HttpResponse(body, content_type="application/yaml; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.yaml"'
        return response

    def get_urls(self):  # type: ignore[no-untyped-def]
        extra = [
            path(
                "from-template/",
                self.admin_site.admin_view(self.from_template_view),
                name="plans_plan_from_template",
            )
        ]
        return extra + super().get_urls()

    def from_template_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            return HttpResponse(status=403)
        form = FromTemplateForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            key = form.cleaned_data["template"]
            try:
                plan = import_plan_text(
                    template_text(key),
                    filename=f"{key}.yaml",
                    t0=form.cleaned_data["t0"],
                    tz=form.cleaned_data["timezone"],
                    name=form.cleaned_data["name"] or None,
                    slug=form.cleaned_data["slug"] or None,
                    coordinator=actor(request),
                    by=actor(request),
                    source_template=key,
                    values=form.cleaned_data["values"],
                )
            except PlanFormatError as exc:
                for line in exc.lines():
                    form.add_error(None, line)
            else:
                messages.success(
                    request, f"Plan “{plan.name}” created from {key}, T-0 {plan.local(plan.t0):%d %b %Y %H:%M %Z}."
                )
                return HttpResponseRedirect(reverse("admin:plans_plan_change", args=[plan.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": "New plan from template",
            "form": form,
            "opts": self.model._meta,
            "templates": builtin_templates(),
        }
        return TemplateResponse(request, "admin/plans/plan/from_template.html", context)


@functools.cache
def _zones() -> list[tuple[str, str]]:
    """The zone choices, read from the system's time zone database once per process (a directory walk)."""
    return [(z, z) for z in sorted(zoneinfo.available_timezones()) if "/" in z or z == "UTC"]


class FromTemplateForm(forms.Form):
    template = forms.ChoiceField()
    name = forms.CharField(required=False, max_length=200, help_text="Leave empty for the template's name.")
    slug = forms.SlugField(required=False, max_length=80, help_text="Leave empty to derive it from the name.")
    t0 = forms.DateTimeField(
        label="T-0",
        help_text="The launch moment, in the time zone below.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )
    timezone = forms.ChoiceField(label="Time zone", initial="UTC")
    values = forms.CharField(
        label="Placeholders",
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "bridge_url=https://meet.example.com/war-room"}),
        help_text="Fill the template's placeholders: one NAME=VALUE a line (links: http or https only). "
        "Those left out are listed on the plan's page.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, Any] = self.fields
        fields["template"].choices = [(t.key, f"{t.name} ({t.key})") for t in builtin_templates()]
        fields["timezone"].choices = _zones()

    def clean_values(self) -> dict[str, str]:
        values: dict[str, str] = {}
        for n, line in enumerate(str(self.cleaned_data.get("values") or "").splitlines(), start=1):
            if not line.strip():
                continue
            name, sep, value = line.partition("=")
            if not sep or not name.strip():
                raise forms.ValidationError(f"Line {n}: expected NAME=VALUE.")
            values[name.strip()] = value.strip()
        return values

    def clean_t0(self):  # type: ignore[no-untyped-def]
        value = self.cleaned_data["t0"]
        # Django made it aware in the server's zone; the user meant the plan's zone.
        return timezone.make_naive(value) if timezone.is_aware(value) else value


admin.site.unregister(Plan)
admin.site.register(Plan, PlanAdmin)
