"""Writes of the API app: tokens (:mod:`.tokens`) and alert notifications (:mod:`.alerts`)."""

from __future__ import annotations

from .alerts import AlertOutcome, alert_receive
from .tokens import TOKEN_PREFIX, token_create, token_revoke, token_touch

__all__ = ["TOKEN_PREFIX", "AlertOutcome", "alert_receive", "token_create", "token_revoke", "token_touch"]
