"""The coordinator's "Assign people" screen: the primary and the backup of every role of a plan, on one page,
saved through :func:`roles.services.role_assign_people` (its permission check and event). The Plan admin
(launch/admin.py) mixes it in; the plan's change page links to it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from plans.models import Plan
from plans.permissions import can_coordinate

from .models import Role
from .people import deactivated
from .people import people as people_qs
from .services import role_assign_people


def _people_choices() -> list[tuple[str, str]]:
    """Active accounts, once per page (not one query per select)."""
    people = people_qs().order_by("first_name", "last_name", "username")
    choices = [("", "— nobody —")]
    for user in people.only("pk", "username", "first_name", "last_name"):
        choices.append((str(user.pk), _label(user)))
    return choices


def _label(user: Any) -> str:
    full = user.get_full_name()
    return f"{full} ({user.get_username()})" if full else user.get_username()


class AssignPeopleForm(forms.Form):
    """Two selects per role, ``primary_<pk>`` and ``backup_<pk>``, over the same list of people."""

    def __init__(self, *args: Any, roles: list[Role], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.roles = roles
        choices = _people_choices()
        for role in roles:
            for place in ("primary", "backup"):
                current = getattr(role, f"{place}_id")
                holder = getattr(role, place)
                # A deactivated holder is not among the people offered: shown (marked) as the current choice,
                # so that the screen does not read "nobody" and saving the other roles keeps them.
                kept = [(str(holder.pk), f"{_label(holder)} (inactive)")] if deactivated(holder) else []
                self.fields[f"{place}_{role.pk}"] = forms.ChoiceField(
                    choices=choices[:1] + kept + choices[1:],
                    required=False,
                    initial=str(current) if current else "",
                    label=f"{role.name}: {place}",
                )

    def rows(self) -> list[tuple[Role, forms.BoundField, forms.BoundField]]:
        return [(role, self[f"primary_{role.pk}"], self[f"backup_{role.pk}"]) for role in self.roles]

    def assignments(self) -> dict[int, tuple[Any, Any]]:
        ids = {int(v) for k, v in self.cleaned_data.items() if v}
        people = get_user_model().objects.in_bulk(list(ids))
        pick = lambda value: people.get(int(value)) if value else None  # noqa: E731
        return {
            role.pk: (pick(self.cleaned_data[f"primary_{role.pk}"]), pick(self.cleaned_data[f"backup_{role.pk}"]))
            for role in self.roles
        }


class AssignPeopleMixin:
    """Adds ``<plan id>/assign/`` (URL name ``admin:plans_plan_assign``) to the Plan admin."""

    def get_urls(self):  # type: ignore[no-untyped-def]
        view = self.admin_site.admin_view(self.assign_people_view)  # type: ignore[attr-defined]
        return [path("<int:object_id>/assign/", view, name="plans_plan_assign"), *super().get_urls()]  # type: ignore[misc]

    def assign_people_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        plan: Plan = self.get_object(request, str(object_id))  # type: ignore[attr-defined]  # 404 outside scope
        if not self.has_change_permission(request, plan) or not can_coordinate(request.user, plan):  # type: ignore[attr-defined]
            raise PermissionDenied("Only the plan's coordinator may assign people.")
        roles = list(Role.objects.filter(plan=plan).select_related("primary", "backup").order_by("order", "name"))
        form = AssignPeopleForm(request.POST or None, roles=roles)
        if request.method == "POST" and form.is_valid():
            try:
                changed = role_assign_people(plan, by=request.user, assignments=form.assignments())  # type: ignore[arg-type]
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                done = f"People assigned: {len(changed)} role(s) changed." if changed else "No change to the people."
                messages.success(request, done)
                return HttpResponseRedirect(reverse("admin:plans_plan_change", args=[plan.pk]))
        context = {
            **self.admin_site.each_context(request),  # type: ignore[attr-defined]
            "title": f"Assign people: {plan.name}",
            "breadcrumb": "Assign people",
            "form": form,
            "plan": plan,
            "opts": Plan._meta,
            "original": plan,
        }
        return TemplateResponse(request, "admin/plans/plan/assign_people.html", context)
