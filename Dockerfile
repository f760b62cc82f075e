# The Skillweave API, for `docker compose up` next to Neo4j 5.
FROM python:3.11-slim
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
COPY pyproject.toml README.md ./
COPY api ./api
COPY graph ./graph
COPY matching ./matching
RUN pip install --no-cache-dir .
EXPOSE 8000
# NEO4J_URI comes from the compose file, so the embedded store is never started here.
CMD ["skillweave", "serve", "--host", "0.0.0.0", "--port", "8000"]
