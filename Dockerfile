# Carefile's production image: gunicorn serves the web app; the same image runs the Celery
# worker and beat (see docker-compose.yml).
#
#   docker build -t carefile .

# --- Front-end assets: GOV.UK Frontend and the service's own stylesheet ----------------------
FROM node:20-bookworm-slim AS assets

WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY assets/scss ./assets/scss
RUN npm run build


# --- The application -------------------------------------------------------------------------
FROM python:3.11-slim-bookworm AS app

# PYTHONPATH: the source in /app, not the copy pip installs, is what runs, because app
# templates and static files live beside the code. WEB_CONCURRENCY is gunicorn's worker count.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    CAREFILE_VAR_DIR=/data/var \
    CAREFILE_MEDIA_ROOT=/data/media \
    WEB_CONCURRENCY=3

# WeasyPrint (letters, disclosure bundles, certificates) needs Pango and HarfBuzz, and fonts.
# Versions are left to the bookworm release so that rebuilding picks up security updates.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz0b \
        libharfbuzz-subset0 \
        fonts-liberation \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 carefile \
    && useradd --system --uid 10001 --gid carefile --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin carefile

WORKDIR /app

# Dependencies first, from pyproject.toml alone, so a code change does not reinstall them.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY . .
RUN pip install . \
    && rm -rf build ./*.egg-info \
    && python -m compileall -q config core accounts records access_requests sharing retention audit

COPY --from=assets /build/node_modules/govuk-frontend/dist ./node_modules/govuk-frontend/dist
COPY --from=assets /build/assets/build ./assets/build

# collectstatic must run with the production storage (hashed, compressed names and a manifest),
# and production settings refuse to load without these variables. The values below are
# placeholders for this one build step: nothing connects to them and none is a secret. The
# real values come from the environment when a container starts.
RUN CAREFILE_ENV=production \
    DJANGO_SECRET_KEY=build-only-placeholder-not-a-secret \
    DJANGO_ALLOWED_HOSTS=build.invalid \
    DATABASE_URL=postgres://build@build.invalid:5432/build \
    CELERY_BROKER_URL=redis://build.invalid:6379/0 \
    CAREFILE_VAR_DIR=/tmp/carefile-build \
    python manage.py collectstatic --no-input --verbosity 0 \
    && rm -rf /tmp/carefile-build

# Uploaded documents and generated files live on a volume owned by the service user.
RUN mkdir -p /data/media /data/var && chown -R carefile:carefile /data

# Numeric, so that orchestrators can check the image does not run as root.
USER 10001:10001

EXPOSE 8000

# Access log lines leave out the query string and referrer: a search can carry a person's name.
CMD ["gunicorn", "config.wsgi:application", \
     "--bind", "0.0.0.0:8000", \
     "--timeout", "60", \
     "--graceful-timeout", "30", \
     "--max-requests", "1000", \
     "--max-requests-jitter", "100", \
     "--worker-tmp-dir", "/dev/shm", \
     "--access-logfile", "-", \
     "--error-logfile", "-", \
     "--access-logformat", "%(h)s %(t)s \"%(m)s %(U)s %(H)s\" %(s)s %(b)s %(M)sms %({x-request-id}o)s"]
