# Gemba Walk: one image for the web app, the workers and the migrate step (docs/operate.md).
#   docker build -t gemba-walk .
#   docker run --rm -p 8000:8000 -e GEMBA_SECRET_KEY=... gemba-walk        # SQLite in a volume
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# git reads the history of every repository; ssh for clone URLs like git@host:owner/repo.git.
RUN apt-get update \
    && apt-get install --yes --no-install-recommends git openssh-client ca-certificates \
    && rm -rf /var/lib/apt/lists/*

# Only what the package needs, so a change to the tests or docs does not rebuild this layer.
COPY pyproject.toml README.md /src/
COPY app /src/app
COPY collectors /src/collectors
COPY dashboards /src/dashboards
RUN pip install /src && rm -rf /src

# A user without a login shell or sudo; its home is the data folder (clones, SQLite, previews).
RUN useradd --system --uid 10001 --user-group --home-dir /var/lib/gemba --create-home \
        --shell /usr/sbin/nologin gemba
USER gemba
WORKDIR /var/lib/gemba
ENV GEMBA_DATA_DIR=/var/lib/gemba \
    GEMBA_DATABASE_URL=sqlite:////var/lib/gemba/gemba.db
VOLUME ["/var/lib/gemba"]

EXPOSE 8000
# Listen on every interface inside the container; publish the port behind your reverse proxy.
CMD ["gemba", "serve", "--host", "0.0.0.0", "--port", "8000"]
