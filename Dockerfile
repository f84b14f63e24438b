# The message catalogues are compiled here (GNU gettext stays out of the runtime image); the .mo
# files are never committed (docs/translations.md).
FROM python:3.11-slim AS messages
RUN apt-get update && apt-get install -y --no-install-recommends gettext && rm -rf /var/lib/apt/lists/*
WORKDIR /build
COPY locale ./locale
RUN for po in locale/*/LC_MESSAGES/*.po; do msgfmt --check -o "${po%.po}.mo" "$po" || exit 1; done

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 UV_PYTHON_DOWNLOADS=never UV_PROJECT_ENVIRONMENT=/opt/venv
RUN pip install --no-cache-dir "uv>=0.13,<0.14"
# WeasyPrint (the scorecard PDF) draws text with Pango; one font family so a PDF is never blank.
# SAML sign-in (python3-saml): lxml and xmlsec are built against the system libxml2 and
# libxmlsec1 (pyproject.toml [tool.uv] no-binary-package says why); the -dev packages bring the
# runtime libraries with them.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
       build-essential pkg-config libxml2-dev libxslt1-dev libxmlsec1-dev libxmlsec1-openssl \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --locked --no-dev --no-install-project
COPY . .
COPY --from=messages /build/locale ./locale
ENV PATH="/opt/venv/bin:$PATH" DJANGO_SETTINGS_MODULE=prm.settings.production
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput
RUN useradd --create-home prm && mkdir -p /app/var && chown -R prm /app/var
USER prm
EXPOSE 8000
CMD ["gunicorn", "prm.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--worker-class", "gthread", "--threads", "4"]
