# One image for every process; docker-compose.yml picks the command (node dist/api/main.js,
# node dist/worker/main.js). Build context: the repo root.
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# The same install as scripts/setup.sh: npm ci, or, when this registry's lock lacks optional
# platform packages it does not carry, npm install of exactly the locked versions.
COPY scripts/npm-install.sh ./scripts/npm-install.sh
RUN bash scripts/npm-install.sh
# Sources are listed rather than `COPY . .` so a host node_modules/, .tools/ or .data/ never lands in the image.
COPY tsconfig.json tsconfig.build.json ./
COPY workflows ./workflows
COPY activities ./activities
COPY api ./api
COPY agent ./agent
COPY db ./db
COPY config ./config
COPY domain ./domain
COPY clients ./clients
COPY worker ./worker
COPY demo-provider ./demo-provider
COPY scripts ./scripts
COPY bench ./bench
COPY schemas ./schemas
COPY templates ./templates
RUN npm run build && npm prune --omit=dev

FROM node:20-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# Read at runtime (JSON Schemas, workflow templates).
COPY --from=build /app/schemas ./schemas
COPY --from=build /app/templates ./templates
USER node
EXPOSE 8080
CMD ["node", "dist/api/main.js"]
