# syntax=docker/dockerfile:1
# Build: compile TypeScript with the dev dependencies.
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build:function \
 && npm prune --omit=dev \
 && chmod -R a+rX package.json node_modules dist

# Run: only the built function and its runtime dependencies, owned by root and readable by all
# (made so in the build stage), because kpt and kustomize start functions as `nobody` with no network.
FROM node:20-bookworm-slim
WORKDIR /fn
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist/src ./dist/src
USER node
ENTRYPOINT ["node", "/fn/dist/src/main.js"]
