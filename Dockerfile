# syntax=docker/dockerfile:1
# Both bases are pinned to the digest of their tag's multi-arch index (amd64 and arm64), so that a rebuild
# uses the base that was reviewed; bump the tag and the digest together. The digests are the ones public
# Dockerfiles recorded for these tags (node:22-bookworm-slim on 2026-09-24, nodejs22-debian12:nonroot on
# 2026-07-17); the release workflow prints them beside the tags' current ones and warns where a tag has moved.

# Build: compile TypeScript with the dev dependencies. Its output is plain JavaScript with no native
# modules, so it runs once on the builder's own platform and is copied into every architecture's image.
FROM --platform=$BUILDPLATFORM node:22-bookworm-slim@sha256:43ac6c60b8f89723f746e8a92ce91abd5017e627ce1ddfe4238355d3a30b772c AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build:function \
 && npm prune --omit=dev \
 && chmod -R a+rX package.json node_modules dist

# Run: distroless Node.js 22 (no shell, no package manager), holding only the built function, its runtime
# dependencies and the licence, owned by root and readable by all (made so in the build stage), because
# kpt and kustomize start functions as `nobody` with no network. Left to itself it runs as distroless's
# `nonroot` (65532), numeric so that `runAsNonRoot` can check it.
FROM gcr.io/distroless/nodejs22-debian12:nonroot@sha256:13593b7570658e8477de39e2f4a1dd25db2f836d68a0ba771251572d23bb4f8e
ARG VERSION=0.0.0-dev
LABEL org.opencontainers.image.title="order-containers" \
      org.opencontainers.image.description="KRM function that makes the containers of a Kubernetes pod start and stop in a declared order" \
      org.opencontainers.image.source="https://github.com/order-containers/order-containers" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}"
WORKDIR /fn
COPY LICENSE ./
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist/src ./dist/src
USER 65532:65532
# The base's own ENTRYPOINT is its node (GoogleContainerTools/distroless nodejs/BUILD: `/nodejs/bin/node`).
ENTRYPOINT ["/nodejs/bin/node", "/fn/dist/src/main.js"]
