# Q Library: the web image (gunicorn, static files served by WhiteNoise). See docker-compose.yml.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN useradd --system --create-home --home-dir /home/qlibrary --uid 10001 qlibrary

WORKDIR /app

# Dependencies first, so a code change does not reinstall them. The project installs no Python
# package of its own (the apps run from /app), only the runtime dependencies pinned, with their
# hashes, in requirements.lock; no dev extras.
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock

COPY . .

# Static files are collected (hashed and compressed by WhiteNoise) into the image at build time;
# the key is for this step only and never reaches a running container.
RUN DEBUG=false SECRET_KEY=build-only-collectstatic-key-not-used-at-run-time-0123456789abcdef \
    python manage.py collectstatic --no-input

# The open-data downloads are written here at run time (a volume in docker-compose.yml).
RUN mkdir -p /app/open-data && chown qlibrary /app/open-data

USER qlibrary

EXPOSE 8000

CMD ["gunicorn", "qlibrary.wsgi", "--bind", "0.0.0.0:8000", "--workers", "2", \
     "--access-logfile", "-", "--error-logfile", "-"]
