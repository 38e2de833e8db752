# Production image: gunicorn serves config.wsgi; the same image runs the Celery worker and
# beat (docker-compose.yml). Build: docker build -t matreturns .
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings

WORKDIR /app

RUN groupadd --system app \
    && useradd --system --gid app --home-dir /app --no-create-home --shell /usr/sbin/nologin app

# Dependencies first, so this layer is rebuilt only when the lock changes: exact versions
# with their hashes (requirements.lock, refreshed by `make lock`, README "Dependencies"), the
# same set CI installs. The apps run from the checkout copied into /app below; .dockerignore
# keeps tests, benchmarks and local state out of the image.
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock

COPY --chown=app:app . .

# Static files are collected into the image (STATIC_ROOT=/app/staticfiles), under hashed and
# compressed names that WhiteNoise serves with far-future cache headers. The SECRET_KEY
# here is a dev-only build-time placeholder that only lives for this command (settings want
# >= 50 characters with DEBUG off, tests/test_deploy_files.py runs this line); the container
# gets the real one from its environment at run time.
RUN mkdir -p /app/static /app/media \
    && SECRET_KEY=dev-only-docker-build-key-for-collectstatic-never-used-at-run-time DEBUG=0 \
       python manage.py collectstatic --noinput \
    && chown app:app /app /app/media

USER app

EXPOSE 8000

# Workers, timeouts and the JSON access log come from gunicorn.conf.py (WEB_CONCURRENCY).
CMD ["gunicorn", "-c", "gunicorn.conf.py", "config.wsgi:application"]
