#!/usr/bin/env bash
# Checks the system packages a command needs: `sandbox` (bubblewrap, and setpriv to drop root before it) and
# `font` (a font for HashHop's charts, found through fontconfig). What is missing is said in one line; as root
# with apt-get or dnf it is installed, otherwise this stops at once with the one command to run.
# Usage: scripts/prerequisites.sh sandbox|font...   Exit 0 when everything is there (or was installed).
set -euo pipefail

apt=() dnf=() what=()
for need in "$@"; do
  case "$need" in
    sandbox)
      command -v bwrap >/dev/null 2>&1 || { apt+=(bubblewrap); dnf+=(bubblewrap); what+=("bubblewrap (the sandbox)"); }
      command -v setpriv >/dev/null 2>&1 || { apt+=(util-linux); dnf+=(util-linux); what+=("setpriv (util-linux)"); }
      ;;
    font)
      [ -n "$(fc-list 2>/dev/null)" ] || { apt+=(fontconfig fonts-dejavu-core); dnf+=(fontconfig dejavu-sans-fonts)
        what+=("a font (for the charts)"); }
      ;;
    *) echo "prerequisites.sh: unknown need '$need' (known: sandbox, font)" >&2; exit 2 ;;
  esac
done
[ ${#what[@]} -eq 0 ] && exit 0

missing="$(IFS=,; echo "${what[*]}" | sed 's/,/, /g')"
if command -v apt-get >/dev/null 2>&1; then
  install="apt-get install -y ${apt[*]}"
elif command -v dnf >/dev/null 2>&1; then
  install="dnf install -y ${dnf[*]}"
else
  echo "patchwright: missing $missing; install the packages ${apt[*]} (Debian names) with your package manager, then run this again" >&2
  exit 1
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "patchwright: missing $missing; run: sudo $install" >&2
  exit 1
fi
echo "patchwright: missing $missing; installing it: $install" >&2
if command -v apt-get >/dev/null 2>&1; then
  apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive $install -qq >&2
else
  $install -q >&2
fi
