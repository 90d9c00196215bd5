"""The review page (``/plans/<plan>/review/``), its exports (PDF, Markdown, CSV, the decision record) and
the coordinator's lessons and follow-up actions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST

from launchcontrol.http import AuthenticatedHttpRequest, query_texts
from launchcontrol.kept import refuse
from plans.models import Plan
from plans.permissions import can_coordinate
from plans.viewtools import member_plan

from . import services
from .forms import FollowUpForm, LessonForm
from .models import Lesson
from .report.context import review_context
from .report.csvs import data_zip, decisions_csv
from .report.markdown import review_markdown
from .report.pdf import review_pdf
from .selectors import plan_review
from .viewtools import refused, written


def _download(body: bytes | str, content_type: str, filename: str, *, inline: bool = False) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{filename}"'
    return response


@login_required
@require_GET
@member_plan
def review_page(request: AuthenticatedHttpRequest, plan: Plan) -> HttpResponse:
    ctx = review_context(plan_review(plan, now=timezone.now()))
    editable = can_coordinate(request.user, plan)
    ctx.update(
        nav="review",
        editable=editable,
        lesson_form=LessonForm() if editable else None,
        follow_up_form=FollowUpForm(plan=plan) if editable else None,
    )
    return render(request, "review/review.html", ctx)


@login_required
@require_GET
@member_plan
def review_md(request: AuthenticatedHttpRequest, plan: Plan) -> HttpResponse:
    body = review_markdown(plan_review(plan, now=timezone.now()))
    return _download(body, "text/markdown; charset=utf-8", f"{plan.slug}-review.md", inline=True)


@login_required
@require_GET
@member_plan
def review_pdf_view(request: AuthenticatedHttpRequest, plan: Plan) -> HttpResponse:
    body = review_pdf(plan_review(plan, now=timezone.now()))
    return _download(body, "application/pdf", f"{plan.slug}-review.pdf", inline=True)


@login_required
@require_GET
@member_plan
def review_csv(request: AuthenticatedHttpRequest, plan: Plan) -> HttpResponse:
    return _download(data_zip(plan_review(plan, now=timezone.now())), "application/zip", f"{plan.slug}-data.zip")


@login_required
@require_GET
@member_plan
def review_decisions(request: AuthenticatedHttpRequest, plan: Plan) -> HttpResponse:
    body = decisions_csv(plan_review(plan, now=timezone.now()))
    return _download(body, "text/csv; charset=utf-8", f"{plan.slug}-decisions.csv")


@login_required
@require_POST
@member_plan
def lesson_add(request: AuthenticatedHttpRequest, plan: Plan) -> HttpResponse:
    form = LessonForm(request.POST)
    if not form.is_valid():
        refuse(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("review:page", plan.slug)
    data = form.cleaned_data
    return written(
        request,
        lambda: services.lesson_add(plan, by=request.user, kind=data["kind"], text=data["text"]),
        "Lesson added.",
        "review:page",
        plan.slug,
    )


@login_required
@require_POST
@member_plan
def lesson_delete(request: AuthenticatedHttpRequest, plan: Plan, pk: int) -> HttpResponse:
    lesson = get_object_or_404(Lesson, plan=plan, pk=pk)
    services.lesson_delete(lesson, by=request.user)
    messages.success(request, "Lesson removed.")
    return redirect("review:page", plan.slug)


@login_required
@require_POST
@member_plan
def followup_add(request: AuthenticatedHttpRequest, plan: Plan) -> HttpResponse:
    form = FollowUpForm(request.POST, plan=plan)
    if not form.is_valid():
        refuse(request, refused(form))
        return redirect("review:page", plan.slug)
    data = form.cleaned_data
    return written(
        request,
        lambda: services.followup_add(
            plan, by=request.user, title=data["title"], owner_role=data["owner_role"], due_date=data["due_date"]
        ),
        "Follow-up action added to the follow-up checklist.",
        "review:page",
        plan.slug,
    )


@login_required
@require_GET
def compare_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Launches side by side: ``?plan=a&plan=b`` or the latest launches whose T-0 has passed."""
    from .compare import SERIES, compare, compared_plans, series_chart

    plans = compared_plans(query_texts(request, "plan"))
    figures = compare(plans, now=timezone.now())
    # series_chart escapes every value it writes (plan names, numbers): safe to mark safe.
    charts = [
        (title, better, mark_safe(series_chart(title, figures, read, label)))  # noqa: S308
        for title, read, better, label in SERIES
    ]
    return render(request, "review/compare.html", {"figures": figures, "charts": charts})
