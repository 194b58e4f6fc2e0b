#!/usr/bin/env bash
# The image's entrypoint: turns secret files into the environment variables the application reads,
# then runs the launcher with the container's arguments (serve --role ..., model-server ...).
#
# For each NAME below, NAME_FILE=/path sets NAME to that file's content (a trailing newline dropped),
# so Docker secrets and Kubernetes secret volumes need not put a secret in the container's
# configuration, where `docker inspect` shows it. Mount secret files under /run/secrets: the sandbox
# binds /usr, /etc and /opt into every test run, never /run.
set -euo pipefail

for name in PATCHWRIGHT_DB_PASSWORD QUARKUS_GITHUB_APP_PRIVATE_KEY QUARKUS_GITHUB_APP_WEBHOOK_SECRET \
            PATCHWRIGHT_MODEL_API_KEY PATCHWRIGHT_MODEL_SERVER_API_KEY; do
  file_var="${name}_FILE"
  file="${!file_var:-}"
  [ -n "$file" ] || continue
  if [ -n "${!name:-}" ]; then
    echo "entrypoint: both $name and $file_var are set; set one" >&2
    exit 2
  fi
  if [ ! -r "$file" ]; then
    echo "entrypoint: $file_var names $file, which uid $(id -u) cannot read" >&2
    exit 2
  fi
  export "$name=$(cat "$file")"
  unset "$file_var"
done

exec "${PATCHWRIGHT_LAUNCHER:-/opt/patchwright/patchwright}" "$@"
