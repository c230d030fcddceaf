# The gateway as a container: build with the dev dependencies, run with the production ones only,
# as an unprivileged user. It needs DATABASE_URL (the embedded PostgreSQL is for local use) and,
# with more than one instance, REDIS_URL and the same API_KEY_PEPPER everywhere.
#   docker build -t support-gateway .
#   docker compose up        (PostgreSQL, Redis and the gateway: see docker-compose.yml)

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npx tsc -p tsconfig.build.json

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000 \
    DATA_DIR=/var/lib/gateway
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
RUN mkdir -p /var/lib/gateway && chown node:node /var/lib/gateway
USER node
EXPOSE 4000
HEALTHCHECK --interval=10s --timeout=3s --retries=3 CMD node -e "fetch('http://127.0.0.1:4000/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
CMD ["node", "dist/main.js"]
