# The image deploy/ runs (`eci-admission:0.1.0` until you push it somewhere and set the
# kustomization's images: entry). Not built by the tests: there is no container engine there.
FROM node:20-alpine AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json ./
COPY lib lib
COPY test test
COPY bench bench
COPY tools tools
COPY schemas schemas
RUN npm run build && npm prune --omit=dev

FROM node:20-alpine
WORKDIR /app
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules node_modules
COPY --from=build /src/dist/lib dist/lib
COPY schemas schemas
# register reads the webhook configurations it creates from here.
COPY deploy/webhook-configurations.yaml deploy/webhook-configurations.yaml
# The Deployment sets runAsUser 65532 too; this keeps a plain `docker run` unprivileged.
USER 65532:65532
EXPOSE 8443
ENTRYPOINT ["node", "/app/dist/lib/cli.js"]
# A container is reached from outside it: every interface, where serve alone listens on loopback.
CMD ["serve", "--host", "0.0.0.0", "--cert-dir", "/certs"]
