#!/usr/bin/env python3
"""Writes the worker container's seccomp profile: Docker's default, plus what bubblewrap needs.

Docker's default profile allows clone only without namespace flags, and unshare, mount, umount2
and pivot_root only to a container with CAP_SYS_ADMIN. bwrap, run by the worker as a non-root user
with no capabilities, needs exactly those five to build the sandbox: clone and unshare with
CLONE_NEWUSER (and the other namespaces), mount and pivot_root inside the new mount namespace, and
umount2 to drop the old root. This script takes Docker's default as it applies to a container with
no capabilities on one architecture, and allows those five syscalls outright. Nothing else changes:
clone3 still answers ENOSYS (glibc then falls back to clone), setns, bpf, keyctl, perf_event_open
and the rest stay refused.

Docker's default is not copied into this repository: it is read from moby at a pinned commit (or
from --from FILE, e.g. a copy you checked), and the result is written to docker/seccomp-bwrap.json,
which docker-compose.yml names and which Kubernetes nodes can install as a Localhost profile (the
output has no Docker-only conditions, so containerd and CRI-O read it too).

    docker/seccomp-profile.py [--from FILE] [--arch amd64|arm64] [--out FILE]
"""
import argparse
import json
import platform
import sys
import urllib.request

MOBY_COMMIT = "148a19b6d674f20b6d6159391ce156cb8bd1ed27"
DEFAULT_URL = ("https://raw.githubusercontent.com/moby/moby/" + MOBY_COMMIT
               + "/profiles/seccomp/default.json")
BWRAP_SYSCALLS = ["clone", "unshare", "mount", "umount2", "pivot_root"]
NATIVE_ARCH = {"amd64": "SCMP_ARCH_X86_64", "arm64": "SCMP_ARCH_AARCH64"}
MACHINE_TO_ARCH = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}


def without_capabilities(profile, arch):
    """Docker's profile as dockerd applies it to a container with no capabilities on `arch`."""
    native = NATIVE_ARCH[arch]
    arch_map = [entry for entry in profile.get("archMap") or [] if entry["architecture"] == native]
    if not arch_map:
        raise SystemExit(f"the profile has no archMap entry for {native}")
    rules = []
    for rule in profile["syscalls"]:
        includes = rule.get("includes") or {}
        excludes = rule.get("excludes") or {}
        if includes.get("caps"):
            continue  # only for containers holding a capability; this one holds none
        if includes.get("arches") and arch not in includes["arches"]:
            continue
        if arch in (excludes.get("arches") or []):
            continue
        # excludes.caps: applies because the container lacks those capabilities. includes.minKernel:
        # kept, assuming a kernel at least that new (4.8 in Docker's profile).
        kept = {key: value for key, value in rule.items() if key not in ("includes", "excludes")}
        rules.append(kept)
    return {
        "defaultAction": profile["defaultAction"],
        **({"defaultErrnoRet": profile["defaultErrnoRet"]} if "defaultErrnoRet" in profile else {}),
        "architectures": [native] + (arch_map[0].get("subArchitectures") or []),
        "syscalls": rules,
    }


def allow_bwrap(profile):
    """Allows BWRAP_SYSCALLS outright, dropping the narrower allow rules that named them."""
    rules = []
    for rule in profile["syscalls"]:
        if rule["action"] == "SCMP_ACT_ALLOW":
            names = [name for name in rule["names"] if name not in BWRAP_SYSCALLS]
            if not names:
                continue
            rule = {**rule, "names": names}
        rules.append(rule)
    rules.append({
        "names": BWRAP_SYSCALLS,
        "action": "SCMP_ACT_ALLOW",
        "comment": "patchwright: bubblewrap builds its sandbox (user, mount and pid namespaces) as a"
                   " non-root user without capabilities",
    })
    return {**profile, "syscalls": rules}


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from", dest="source", help="Docker's default profile (default: moby at "
                        + MOBY_COMMIT[:12] + ")")
    parser.add_argument("--arch", choices=sorted(NATIVE_ARCH),
                        default=MACHINE_TO_ARCH.get(platform.machine().lower()),
                        help="the hosts' architecture (default: this machine's)")
    parser.add_argument("--out", default="docker/seccomp-bwrap.json")
    args = parser.parse_args(argv)
    if args.arch is None:
        parser.error(f"this machine is {platform.machine()}: say --arch amd64 or --arch arm64")
    if args.source:
        with open(args.source, encoding="utf-8") as f:
            default = json.load(f)
    else:
        with urllib.request.urlopen(DEFAULT_URL, timeout=60) as response:
            default = json.load(response)
    if default.get("defaultAction") != "SCMP_ACT_ERRNO" or not default.get("syscalls"):
        raise SystemExit("that is not Docker's default profile (an allow-list ending in SCMP_ACT_ERRNO)")
    profile = allow_bwrap(without_capabilities(default, args.arch))
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(profile, f, indent=1)
        f.write("\n")
    print(f"wrote {args.out}: Docker's default for {args.arch} without capabilities, plus "
          + ", ".join(BWRAP_SYSCALLS), file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
