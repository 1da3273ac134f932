#!/usr/bin/env bash
# Checks that every #include "..." respects the floors of the build (docs/DESIGN.md, "Floors").
#
# Two rules, both failures:
#   1. floor order: a file may include only headers of its own folder and of the floors listed
#      for it in FLOORS below (the picture in docs/DESIGN.md);
#   2. linking: a file of a library folder may include only headers of libraries its CMake target
#      links, directly or through PUBLIC/INTERFACE links (read from every CMakeLists.txt:
#      sfu_expose(<target> <folder>) names a target's folder, target_link_libraries its links).
# The compiler enforces rule 2 as well (cmake/Layers.cmake gives no global include path); this
# script says it in one line per violation and runs in CI without building.
#
# Usage: scripts/check-layers.sh [ROOT]      exit 0 clean, 1 violations, 2 usage/config error
# (The checker is Python, run from here so the script works however it is invoked.)
set -euo pipefail
ROOT="$(cd "${1:-$(dirname "${BASH_SOURCE[0]}")/..}" && pwd)"
exec python3 - "$ROOT" <<'PY'
import os
import re
import sys

# folder -> the folders it may include besides itself (longest folder prefix wins).
FLOORS = {
    "base": [],
    "transport/wire": [],
    "signaling/sdp": [],
    "metrics": [],
    "codec": [],
    "transport": ["base", "transport/wire"],
    "mixer": ["base", "transport/wire", "codec"],
    "sfu": ["base", "metrics", "transport", "transport/wire", "codec", "mixer"],
    "signaling/api": ["base"],
    "signaling/proto": ["base"],
    "signaling/store": ["base", "signaling/api"],
    "signaling": ["base", "metrics", "transport", "transport/wire", "codec", "mixer", "sfu",
                  "signaling/api", "signaling/proto", "signaling/store", "signaling/sdp"],
    "server": ["base", "metrics", "transport", "transport/wire", "codec", "mixer", "sfu",
               "signaling", "signaling/api", "signaling/proto", "signaling/store", "signaling/sdp"],
    # The reference client: the protocol's pure parts and the client side of the transport.
    "loadtest": ["base", "transport", "transport/wire", "codec", "signaling/sdp",
                 "signaling/proto", "signaling/api"],
    # Benchmarks and tests stand on top of everything (each test binary links one floor).
    "bench": ["*"],
    "tests": ["*"],
}
SOURCE_EXT = (".h", ".cc")
SKIP_DIRS = {".git", "build", "node_modules", ".deps", "web", "docs"}
INCLUDE_RE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def folder_of(path):
    """The longest FLOORS key that is a folder prefix of path (a file or an include)."""
    best = None
    for f in FLOORS:
        if path == f or path.startswith(f + "/"):
            if best is None or len(f) > len(best):
                best = f
    return best


def read_cmake(root):
    """(folder -> target, target -> set of linked targets) from every CMakeLists.txt."""
    folder_target, links = {}, {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS and not d.startswith("build")]
        if "CMakeLists.txt" not in filenames:
            continue
        text = open(os.path.join(dirpath, "CMakeLists.txt"), encoding="utf-8").read()
        text = re.sub(r"#[^\n]*", "", text)
        for m in re.finditer(r"sfu_expose\(\s*(\S+)\s+(\S+)\s*\)", text):
            folder_target[m.group(2)] = m.group(1)
        for m in re.finditer(r"target_link_libraries\(\s*(\S+)([^)]*)\)", text):
            deps = [d for d in m.group(2).split() if d not in ("PUBLIC", "PRIVATE", "INTERFACE")]
            links.setdefault(m.group(1), set()).update(deps)
    return folder_target, links


def closure(target, links):
    seen, stack = set(), [target]
    while stack:
        t = stack.pop()
        for d in links.get(t, ()):
            if d not in seen:
                seen.add(d)
                stack.append(d)
    return seen


def exposing_folder(path, folder_target):
    best = None
    for f in folder_target:
        if path == f or path.startswith(f + "/"):
            if best is None or len(f) > len(best):
                best = f
    return best


def main():
    root = os.path.abspath(sys.argv[1])
    folder_target, links = read_cmake(root)
    if not folder_target:
        print(f"check-layers: no sfu_expose() found under {root}", file=sys.stderr)
        return 2
    violations, files = [], 0
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith("build"))
        for name in sorted(filenames):
            if not name.endswith(SOURCE_EXT):
                continue
            path = os.path.relpath(os.path.join(dirpath, name), root)
            own = folder_of(path)
            if own is None:
                violations.append(f"{path}: not in any floor (add its folder to FLOORS in scripts/check-layers.sh)")
                continue
            files += 1
            text = open(os.path.join(root, path), encoding="utf-8", errors="replace").read()
            lib = exposing_folder(path, folder_target)
            allowed_targets = None
            if lib and own not in ("bench", "tests"):
                t = folder_target[lib]
                allowed_targets = closure(t, links) | {t}
            for lineno, inc in ((text.count("\n", 0, m.start()) + 1, m.group(1)) for m in INCLUDE_RE.finditer(text)):
                if "/" not in inc:
                    continue  # generated or same-folder relative names are not ours to judge
                inc_floor = folder_of(inc)
                if inc_floor is None:
                    continue  # e.g. a generated header under the build tree
                allowed = FLOORS[own]
                if inc_floor != own and "*" not in allowed and inc_floor not in allowed:
                    violations.append(f"{path}:{lineno}: includes \"{inc}\" of floor '{inc_floor}', "
                                      f"which '{own}' may not use (allowed: {', '.join(allowed) or 'nothing'})")
                    continue
                if allowed_targets is not None:
                    inc_lib = exposing_folder(inc, folder_target)
                    if inc_lib and folder_target[inc_lib] not in allowed_targets and not inc.startswith(lib + "/"):
                        violations.append(f"{path}:{lineno}: includes \"{inc}\" of library '{folder_target[inc_lib]}', "
                                          f"which target '{folder_target[lib]}' does not link")
    for v in violations:
        print(v)
    print(f"check-layers: {files} files, {len(violations)} violation(s)")
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
PY
