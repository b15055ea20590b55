FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -o /portvakt ./cmd/portvakt

FROM debian:12-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 portvakt
COPY --from=build /portvakt /usr/local/bin/portvakt
USER portvakt
EXPOSE 8080
ENTRYPOINT ["portvakt"]
