# The knlite image for clusters: `knlite reconciler run` and `knlite gateway run` (see
# `knlite reconciler manifests --image`). Build: docker build -t registry.example.com/knlite:0.1.0 .
FROM node:20-bookworm-slim AS build
WORKDIR /src
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
COPY bin ./bin
COPY config ./config
COPY examples ./examples
COPY scripts ./scripts
COPY src ./src
COPY tsconfig.json tsconfig.build.json ./
# npm install builds dist/ and the oclif manifest (prepare); then drop the build-only packages.
RUN npm install && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
COPY --from=build /src/package.json /src/oclif.manifest.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY --from=build /src/bin ./bin
COPY --from=build /src/config ./config
# Non-root, as the manifests' securityContext requires; HOME is the writable /tmp emptyDir.
ENV HOME=/tmp NODE_ENV=production
USER 65532:65532
ENTRYPOINT ["node", "--", "/app/bin/run.js"]
CMD ["gateway", "run", "--host", "0.0.0.0"]
