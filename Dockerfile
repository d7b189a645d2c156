# syntax=docker/dockerfile:1
# Multi-stage build: compile in the Rust image, run as a non-root user in a slim image.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY migrations ./migrations
COPY schema.graphql ./
COPY benches ./benches
RUN cargo build --release --locked --bin datatracker

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /app --create-home datatracker
COPY --from=build /src/target/release/datatracker /usr/local/bin/datatracker
USER datatracker
WORKDIR /app
ENV DATATRACKER_BIND=0.0.0.0:8080 DATATRACKER_LOG_FORMAT=json
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s CMD curl -fsS http://127.0.0.1:8080/health || exit 1
ENTRYPOINT ["datatracker"]
CMD ["serve"]
