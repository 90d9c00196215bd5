"""``/api/v1/``: the NinjaAPI (its OpenAPI schema at ``openapi.json``, its docs at ``docs``)."""

from __future__ import annotations

from ninja import NinjaAPI, Swagger

from . import endpoints, handoff, issue_endpoints, receivers, rollout, training
from .auth import TokenAuth
from .errors import install

api = NinjaAPI(
    title="Launch Control API",
    version="1",
    description="A plan's live state, metric readings, issues, rollback triggers and steps, its operations "
    "handoff, and alert receivers for Prometheus Alertmanager and Grafana. Every call carries a per-plan token: "
    "`Authorization: Bearer lct_…` (docs/api.md).",
    urls_namespace="api",
    auth=TokenAuth(),  # every operation names its own (TokenAuth(scope)); this covers any new one
    openapi_url="/openapi.json",
    docs=Swagger(settings={"persistAuthorization": False}),
    docs_url="/docs",
)
install(api)
api.add_router("", endpoints.router)
api.add_router("", issue_endpoints.router)
api.add_router("", receivers.router)
api.add_router("", rollout.router)
api.add_router("", training.router)
api.add_router("", handoff.router)

urlpatterns = [*api.urls[0]]
