"""The JSON API (``/api/v1/``, django-ninja): per-plan tokens, the plan's live state, writes through the
same services as the pages, and the Alertmanager and Grafana alert receivers (docs/api.md)."""
