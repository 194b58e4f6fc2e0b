# syntax=docker/dockerfile:1
# One image for every role: `serve --role webhook|worker|all` and `model-server` (README, "Deploying").
#   docker build -t patchwright:0.1.0 .
# Build stage: the project's own build, tests skipped (they need bwrap, PostgreSQL and a browser
# of their own; CI runs them with .ci/run).
FROM debian:bookworm-slim AS build
# curl: how ./mvnw fetches Maven itself.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends openjdk-17-jdk-headless curl ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY .mvn .mvn
COPY mvnw pom.xml ./
COPY migrations migrations
COPY inference inference
COPY worker worker
COPY bot bot
RUN --mount=type=cache,target=/root/.m2 ./mvnw -B -q -DskipTests package

# Runtime: Debian bookworm, whose bubblewrap (0.8.0) is the one the sandbox is tested with.
FROM debian:bookworm-slim
# openjdk-17-jre-headless: the JVM. git: what repositories' setup and test commands expect to find.
# bubblewrap: the sandbox. util-linux: setpriv and prlimit (the sandbox's fallback memory limit).
# fontconfig + fonts-dejavu-core: HashHop's charts draw text. tini: PID 1 that reaps the orphans
# that test runs leave behind. curl + ca-certificates: health checks and HTTPS.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      openjdk-17-jre-headless git bubblewrap util-linux fontconfig fonts-dejavu-core tini curl ca-certificates \
 && rm -rf /var/lib/apt/lists/*

# A fixed uid so that volumes, Kubernetes' runAsUser/fsGroup and secret files can name it. Java takes
# user.home from this passwd entry, so ~/.patchwright and ~/.m2 land in the home volume.
RUN groupadd --gid 10001 patchwright \
 && useradd --uid 10001 --gid 10001 --home-dir /var/lib/patchwright --shell /usr/sbin/nologin patchwright \
 && mkdir -p /var/lib/patchwright /var/tmp/patchwright \
 && chown 10001:10001 /var/lib/patchwright /var/tmp/patchwright

# The launcher finds the application at bot/target/quarkus-app beside itself, as in a checkout; with
# no sources beside it, it never tries to build.
COPY patchwright /opt/patchwright/patchwright
COPY --from=build /src/bot/target/quarkus-app /opt/patchwright/bot/target/quarkus-app
COPY docker/entrypoint.sh /opt/patchwright/entrypoint.sh

ENV PATCHWRIGHT_HOME=/var/lib/patchwright \
    PATCHWRIGHT_WORK_DIR=/var/tmp/patchwright
USER 10001:10001
WORKDIR /var/lib/patchwright
# 8080: webhooks; 9000: Quarkus's management interface (/q/health, /q/metrics); 8000: model-server.
EXPOSE 8080 9000 8000
# bwrap runs as this non-root user, so the host must allow unprivileged user namespaces and the
# container runtime must let the worker make them: see docker-compose.yml and k8s/worker.yaml.
ENTRYPOINT ["/usr/bin/tini", "--", "/opt/patchwright/entrypoint.sh"]
CMD ["serve", "--role", "all"]
