"""Shifts of an on-call rota."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from plans.models import Plan


class Rota(models.Model):
    """The rule a plan file gave a role (``rota:``): from ``start`` to ``until``, shifts of ``length``
    taken by ``people`` in turn (usernames), each backed up by ``backups`` in turn (empty: the next person
    of the rota). The shifts it made are :class:`Shift` rows; edit those."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="rotas")
    role = models.OneToOneField("roles.Role", on_delete=models.CASCADE, related_name="rota")
    start = models.DurationField()
    until = models.DurationField()
    length = models.DurationField(help_text="Length of one shift.")
    people = models.JSONField(default=list, help_text="Usernames, in turn.")
    backups = models.JSONField(default=list, blank=True, help_text="Usernames, in turn (empty: the next person).")

    class Meta:
        verbose_name = "on-call rota"

    def __str__(self) -> str:
        return f"Rota of {self.role}"


class Shift(models.Model):
    """``person`` is on call for ``role`` from ``start`` to ``end`` (offsets from T-0, end excluded),
    backed up by ``backup``."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="shifts")
    role = models.ForeignKey("roles.Role", on_delete=models.CASCADE, related_name="shifts")
    start = models.DurationField(help_text="From T-0, e.g. -1 day for T-1d.")
    end = models.DurationField(help_text="From T-0; the next shift starts here.")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="shifts")
    backup = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="backup_shifts"
    )

    class Meta:
        ordering = ["plan", "role", "start"]
        indexes = [models.Index(fields=["plan", "start"])]
        verbose_name = "on-call shift"

    def __str__(self) -> str:
        return f"{self.role} on call {self.start}–{self.end}"
