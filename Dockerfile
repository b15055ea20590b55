# Base images are pinned by digest, so a rebuild gets the same bytes; change tag and
# digest together (`docker buildx imagetools inspect golang:1.26.8-bookworm`).
# The Go version must be at least go.mod's, since the image builds with
# GOTOOLCHAIN=local.
FROM golang:1.26.8-bookworm@sha256:9fdc884aacc3bec89b20ffc69f4bb369c78210e3e4f600387b5128b12c199f81 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -o /portvakt ./cmd/portvakt

FROM debian:12-slim@sha256:88200866dfff7ea7f5cbcb6ec7c8a701889efe6fe859fe64d6990e4b07ea4171
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 portvakt \
    && mkdir -p /var/lib/portvakt && chown portvakt /var/lib/portvakt && chmod 700 /var/lib/portvakt
COPY --from=build /portvakt /usr/local/bin/portvakt
USER portvakt
# Dev mode's data (and, unless PORTVAKT_MASTER_KEY is set, its master key) lives
# here; mount a volume so both outlive the container.
WORKDIR /var/lib/portvakt
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 CMD ["portvakt", "health"]
ENTRYPOINT ["portvakt"]
