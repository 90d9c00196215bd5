# Production image for web, worker and beat (see docker-compose.yml).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 LC_VAR_DIR=/var/lib/launchcontrol
WORKDIR /app
COPY pyproject.toml README.md ./
# pango for WeasyPrint (the go-live report's PDF, review/report/pdf.py)
RUN apt-get update && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
RUN pip install --no-cache-dir . && useradd --system --home /app launchcontrol \
    && mkdir -p /var/lib/launchcontrol && chown launchcontrol /var/lib/launchcontrol
COPY . .
RUN SECRET_KEY=build-only DEBUG=False python manage.py collectstatic --noinput --verbosity 0
USER launchcontrol
EXPOSE 8000
# The logger class redacts kiosk, calendar and screen tokens from the access and error logs.
CMD ["gunicorn", "launchcontrol.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--threads", "4", "--access-logfile", "-", \
     "--logger-class", "launchcontrol.logs.GunicornLogger"]
