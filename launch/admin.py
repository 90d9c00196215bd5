"""The Plan admin with what needs the plan format: "New plan from template", "Import a plan file" and the
YAML export.

plans.admin registers the Plan admin without them (plans never imports the format); this app, which
sits on top of every other, replaces that registration with a subclass that adds them."""

from __future__ import annotations

import functools
import io
import zipfile
import zoneinfo
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from launchcontrol.dates import moment_text
from plans import admin as plans_admin
from plans.admin import actor
from plans.models import Plan
from plans.runbook.values import placeholder_value
from roles.admin_assign import AssignPeopleMixin

from .format import PlanFormatError, builtin_templates, parse_plan_text, template_text
from .format.exporter import ExportError, export_plan
from .format.loader import max_bytes, read_plan_stream
from .format.schema import PlaceholderDoc
from .services.importer import import_plan_text


class PlanAdmin(AssignPeopleMixin, plans_admin.PlanAdmin):
    actions = ["export_yaml"]
    change_list_template = "admin/plans/plan/change_list.html"

    @admin.action(description="Export selected plans as plan-format YAML")
    def export_yaml(self, request: HttpRequest, queryset: Any) -> HttpResponse | None:
        """A plan's file (``<slug>.yaml``); several plans, a zip of one such file each, since a plan file
        holds one plan ("Import a plan file" takes each back). A plan whose stored text the format refuses
        (saved before a bound existed) is named with each reason, and nothing is downloaded: a file that
        would not import back is no export."""
        files, refused = {}, []
        for plan in queryset.order_by("slug"):
            try:
                files[f"{plan.slug}.yaml"] = export_plan(plan)
            except ExportError as exc:
                refused.append(str(exc))
        if refused:
            self.message_user(
                request,
                "Nothing exported; fix this in the admin first. " + " ".join(refused)[:2000],
                level=messages.ERROR,
            )
            return None
        if len(files) == 1:
            [(name, body)] = files.items()
            response = HttpResponse(body, content_type="application/yaml; charset=utf-8")
        else:
            archive = io.BytesIO()
            with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
                for name, body in files.items():
                    zipped.writestr(name, body)
            name, response = "plans.zip", HttpResponse(archive.getvalue(), content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    def get_urls(self):  # type: ignore[no-untyped-def]
        extra = [
            path(
                "from-template/",
                self.admin_site.admin_view(self.from_template_view),
                name="plans_plan_from_template",
            ),
            path("from-file/", self.admin_site.admin_view(self.from_file_view), name="plans_plan_from_file"),
        ]
        return extra + super().get_urls()

    def from_template_view(self, request: HttpRequest) -> HttpResponse:
        """Pick a template, T-0 and zone, and fill the template's placeholders (one field each, with its
        description); those left empty stay listed on the plan's page. Changing the template shows its
        placeholders first, without creating anything."""
        if not self.has_add_permission(request):
            return HttpResponse(status=403)
        data = request.POST if request.method == "POST" else None
        key = _chosen_template((data or request.GET).get("template", ""))
        declared = template_placeholders(key)
        form = FromTemplateForm(data, initial={"template": key}, placeholders=declared)
        shown = data.get("shown", key) if data is not None else key
        if data is not None and form.is_valid():
            if shown != key and declared:
                form.add_error(None, f"“{key}” has placeholders: fill them in below (or leave them for later).")
            else:
                plan = self._create_from_template(request, form, key)
                if plan is not None:
                    return HttpResponseRedirect(reverse("admin:plans_plan_change", args=[plan.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": "New plan from template",
            "form": form,
            "shown": key,
            "placeholder_fields": [form[name] for name in form.placeholder_fields],
            "opts": self.model._meta,
            "templates": builtin_templates(),
        }
        return TemplateResponse(request, "admin/plans/plan/from_template.html", context)

    def _create_from_template(self, request: HttpRequest, form: FromTemplateForm, key: str) -> Plan | None:
        plan = _imported(
            request, form, template_text(key), f"{key}.yaml", source_template=key, values=form.placeholder_values()
        )
        if plan is not None:
            messages.success(
                request,
                f"Plan “{plan.name}” created from {key}, T-0 {_t0_text(plan)}.",
            )
        return plan

    def from_file_view(self, request: HttpRequest) -> HttpResponse:
        """Upload a plan file (docs/plan-format.md) with its T-0 and zone: the plan is created as
        ``manage.py import_plan`` would, or every problem the importer finds is listed and nothing is saved."""
        if not self.has_add_permission(request):
            return HttpResponse(status=403)
        form = FromFileForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            plan = self._create_from_file(request, form)
            if plan is not None:
                return HttpResponseRedirect(reverse("admin:plans_plan_change", args=[plan.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": "Import a plan file",
            "form": form,
            "opts": self.model._meta,
            "max_kib": max_bytes() // 1024,
        }
        return TemplateResponse(request, "admin/plans/plan/from_file.html", context)

    def _create_from_file(self, request: HttpRequest, form: FromFileForm) -> Plan | None:
        upload = form.cleaned_data["file"]
        filename = _upload_name(upload.name)
        try:
            text = read_plan_stream(upload.file, filename)
        except PlanFormatError as exc:
            for line in exc.lines():
                form.add_error(None, line)
            return None
        plan = _imported(request, form, text, filename)
        if plan is not None:
            when = "no T-0 (clockless)" if plan.clockless else f"T-0 {_t0_text(plan)}"
            messages.success(request, f"Plan “{plan.name}” imported from {filename}, {when}.")
        return plan


def _imported(request: HttpRequest, form: forms.Form, text: str, filename: str, **more: Any) -> Plan | None:
    """The plan made from ``text`` with the form's T-0, zone, name and slug (the requester coordinates it), or
    None with every problem the importer found added to the form (nothing saved)."""
    try:
        return import_plan_text(
            text,
            filename=filename,
            t0=form.cleaned_data["t0"],
            tz=form.cleaned_data["timezone"],
            name=form.cleaned_data["name"] or None,
            slug=form.cleaned_data["slug"] or None,
            coordinator=actor(request),
            by=actor(request),
            **more,
        )
    except PlanFormatError as exc:
        for line in exc.lines():
            form.add_error(None, _in_words(line))
        return None


#: The importer speaks to the command line (``--t0``...); the upload form's fields have these names.
_FLAGS = {"leave out --t0": "leave T-0 empty", "--t0": "T-0", "--name": "Name", "--tz": "Time zone"}


def _in_words(line: str) -> str:
    for flag, field in _FLAGS.items():
        line = line.replace(flag, field)
    return line


def _upload_name(name: str | None) -> str:
    """The uploaded file's own name, for the messages and the activity log: its last part, printable, short."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(c for c in base if c.isprintable())[:100].strip()
    return base or "plan.yaml"


def _chosen_template(key: str) -> str:
    keys = [t.key for t in builtin_templates()]
    return key if key in keys else (keys[0] if keys else "")


def template_placeholders(key: str) -> list[PlaceholderDoc]:
    """The placeholders a built-in template declares (none for an unknown key)."""
    try:
        text = template_text(key)
    except KeyError:
        return []
    return list(_declared(text, f"{key}.yaml"))


@functools.lru_cache(maxsize=16)
def _declared(text: str, filename: str) -> tuple[PlaceholderDoc, ...]:
    """Parsing a template takes a moment: once per process and text."""
    try:
        return tuple(parse_plan_text(text, filename).doc.placeholders)
    except PlanFormatError:
        return ()


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

    def __init__(self, *args: Any, placeholders: list[PlaceholderDoc] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, Any] = self.fields
        fields["template"].choices = [(t.key, f"{t.name} ({t.key})") for t in builtin_templates()]
        fields["timezone"].choices = _zones()
        self.declared = {f"placeholder_{p.name}": p for p in placeholders or []}
        self.placeholder_fields = list(self.declared)
        for name, p in self.declared.items():
            fields[name] = placeholder_field(p)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name, p in self.declared.items():
            if name in cleaned:
                try:
                    cleaned[name] = placeholder_value(p.kind, cleaned[name], field=p.label or p.name)
                except ValidationError as exc:
                    self.add_error(name, exc.messages)
        return cleaned

    def placeholder_values(self) -> dict[str, str]:
        """The values typed, by placeholder name (the empty ones left out: they stay unfilled)."""
        return {p.name: self.cleaned_data[f] for f, p in self.declared.items() if self.cleaned_data.get(f)}

    def clean_t0(self):  # type: ignore[no-untyped-def]
        value = self.cleaned_data["t0"]
        # Django made it aware in the server's zone; the user meant the plan's zone.
        return timezone.make_naive(value) if timezone.is_aware(value) else value


class FromFileForm(forms.Form):
    file = forms.FileField(label="Plan file", help_text="A plan-format YAML file (docs/plan-format.md).")
    name = forms.CharField(required=False, max_length=200, help_text="Leave empty for the file's name.")
    slug = forms.SlugField(
        required=False, max_length=80, help_text="Leave empty for the file's slug (or one made from the name)."
    )
    t0 = forms.DateTimeField(
        label="T-0",
        required=False,
        help_text="The launch moment, in the time zone below. Leave empty for a clockless plan (clockless: true).",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )
    timezone = forms.ChoiceField(label="Time zone", initial="UTC")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, Any] = self.fields
        fields["timezone"].choices = _zones()

    def clean_t0(self):  # type: ignore[no-untyped-def]
        value = self.cleaned_data["t0"]
        # Django made it aware in the server's zone; the user meant the plan's zone.
        return timezone.make_naive(value) if value is not None and timezone.is_aware(value) else value


KIND_HINTS = {
    "link": "An http:// or https:// address.",
    "date": "A date such as 2026-12-06, or 2026-12-06T06:00.",
    "number": "A number.",
    "person": "A person (their name, as the team knows them).",
    "text": "",
}


def placeholder_field(p: PlaceholderDoc) -> forms.CharField:
    """One placeholder as a form field: its label, its description and what its kind accepts."""
    hint = " ".join(x for x in (p.description, KIND_HINTS.get(p.kind, "")) if x)
    if p.required and p.gates:
        hint += f" Blocks {', '.join(p.gates)} until filled in."
    widget = forms.URLInput if p.kind == "link" else forms.TextInput
    return forms.CharField(
        label=p.label or p.name,
        required=False,
        max_length=2000,
        initial=p.value,
        help_text=hint.strip() or "Leave empty to fill in later on the plan's page.",
        widget=widget(attrs={"placeholder": {"link": "https://…", "date": "2026-12-06"}.get(p.kind, "")}),
    )


admin.site.unregister(Plan)
admin.site.register(Plan, PlanAdmin)


def _t0_text(plan: Plan) -> str:
    return moment_text(plan.local(plan.t0), weekday=False, year=True)
