# The Skillweave API, for `docker compose up` next to Neo4j 5 (see docker-compose.yml).
# tests/test_docker.py installs exactly the files these COPY lines name, the way this image
# does, and checks that the service starts and answers /readyz: keep the two in step.
FROM python:3.11-slim
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
COPY pyproject.toml README.md ./
COPY api ./api
COPY graph ./graph
COPY readmodel ./readmodel
COPY matching ./matching
COPY web ./web
RUN pip install --no-cache-dir . \
    && useradd --system --uid 10001 --home-dir /app skillweave \
    && mkdir -p /app/.skillweave && chown skillweave /app/.skillweave \
    && mkdir -p /var/lib/skillweave/checkpoint \
    && chown skillweave /var/lib/skillweave/checkpoint && chmod 700 /var/lib/skillweave/checkpoint
USER skillweave
EXPOSE 8000
# NEO4J_URI comes from the compose file, so the embedded store is never started here.
CMD ["skillweave", "serve", "--host", "0.0.0.0", "--port", "8000"]
