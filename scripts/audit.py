"""Dependency audit against the hash-pinned lock file (requirements.lock).

Offline (always; this is what CI can rely on):

1. every dependency named in pyproject.toml (with the dev extra) is pinned in the lock, and every
   pin in the lock carries at least one sha256 hash;
2. the installed environment is exactly the lock: the same distributions at the same versions
   (nothing missing or at another version; anything installed beyond the lock is listed as a note), and
   ``pip check`` finds no broken requirement;
3. every installed file listed with a hash in its distribution's RECORD still has that hash
   (nothing was changed after installation).

Online (``--online``, or ``auto`` when pypi.org answers within a few seconds):

4. ``pip-audit -r requirements.lock --no-deps --disable-pip`` when pip-audit is installed and its
   advisory service answers (OSV, or PyPI's per-version JSON);
5. otherwise PyPI's project JSON: for each pin, whether the release is yanked, and, when the pin is
   the project's latest release, the advisories PyPI lists for it (PyPI publishes advisories in
   that endpoint for the latest release only; older pins are counted as "not checkable").

Exit status 1 on any finding; what was and was not checked is printed either way.

Usage: python scripts/audit.py [--online yes|no|auto] [--lock requirements.lock]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import importlib.metadata as md
import json
import re
import shutil
import subprocess
import sys
import tomllib
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IGNORED = {"lagesbild", "pip", "setuptools", "wheel"}


def canon(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def read_lock(path: Path) -> dict[str, tuple[str, int]]:
    """name -> (version, number of hashes)."""
    pins: dict[str, tuple[str, int]] = {}
    current = None
    for line in path.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s\\;]+)", line)
        if m:
            current = canon(m.group(1))
            pins[current] = (m.group(2), 0)
        elif current and "--hash=sha256:" in line:
            v, n = pins[current]
            pins[current] = (v, n + 1)
    return pins


def declared(pyproject: Path) -> set[str]:
    data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    reqs = list(data["project"]["dependencies"]) + list(data["project"]["optional-dependencies"].get("dev", []))
    return {canon(re.split(r"[\s<>=!~\[;]", r, maxsplit=1)[0]) for r in reqs}


def check_offline(lock: Path) -> list[str]:
    problems: list[str] = []
    pins = read_lock(lock)
    for name in sorted(declared(ROOT / "pyproject.toml") - set(pins)):
        problems.append(f"lock: {name} is a dependency in pyproject.toml but not pinned in {lock.name}")
    for name, (version, n) in sorted(pins.items()):
        if n == 0:
            problems.append(f"lock: {name}=={version} has no hash")
    installed = {canon(d.metadata["Name"]): d for d in md.distributions()}
    for name, (version, _) in sorted(pins.items()):
        d = installed.get(name)
        if d is None:
            problems.append(f"env: {name}=={version} is locked but not installed")
        elif d.version != version:
            problems.append(f"env: {name} is {d.version}, the lock pins {version}")
    for name in sorted(set(installed) - set(pins) - IGNORED):
        # Not a failure: a developer's extra tool. setup.sh installs exactly the lock, so CI has none.
        print(f"note: {name}=={installed[name].version} is installed but not in the lock")
    check = subprocess.run([sys.executable, "-m", "pip", "check"], capture_output=True, text=True)
    if check.returncode != 0:
        problems += [f"pip check: {line}" for line in check.stdout.splitlines() if line.strip()]
    n_files = 0
    for name, d in sorted(installed.items()):
        for f in d.files or ():
            if f.hash is None or f.hash.mode != "sha256":
                continue
            path = Path(str(d.locate_file(f)))
            try:
                digest = base64.urlsafe_b64encode(hashlib.sha256(path.read_bytes()).digest()).rstrip(b"=").decode()
            except OSError:
                problems.append(f"files: {name}: {f} is missing")
                continue
            n_files += 1
            if digest != f.hash.value:
                problems.append(f"files: {name}: {f} differs from its RECORD hash")
    print(f"offline: {len(pins)} pins with hashes; environment compared; {n_files} installed files hash-checked")
    return problems


def _get(url: str, timeout: float = 10) -> dict | None:  # type: ignore[type-arg]
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return json.loads(r.read())
    except (urllib.error.URLError, TimeoutError, ValueError):
        return None


def check_online(lock: Path) -> list[str]:
    if shutil.which("pip-audit") or _module_exists("pip_audit"):
        cmd = [sys.executable, "-m", "pip_audit", "-r", str(lock), "--no-deps", "--disable-pip"]
        run = subprocess.run(cmd, capture_output=True, text=True)
        if run.returncode == 0:
            print("online: pip-audit found no known vulnerability")
            return []
        if "Vulnerability" in run.stdout or "Found" in run.stdout:
            return [f"pip-audit: {line}" for line in run.stdout.splitlines() if line.strip()]
        print("online: pip-audit's advisory service is not reachable; using PyPI's project JSON")
    problems: list[str] = []
    latest_checked = 0
    not_checkable: list[str] = []
    for name, (version, _) in sorted(read_lock(lock).items()):
        data = _get(f"https://pypi.org/pypi/{name}/json")
        if data is None:
            not_checkable.append(f"{name} (no answer)")
            continue
        files = data.get("releases", {}).get(version, [])
        if files and all(f.get("yanked") for f in files):
            reason = next((f.get("yanked_reason") for f in files if f.get("yanked_reason")), "")
            problems.append(f"pypi: {name}=={version} is yanked {reason}".rstrip())
        if data.get("info", {}).get("version") == version:
            latest_checked += 1
            for v in data.get("vulnerabilities") or []:
                ids = ", ".join([v.get("id", "?"), *v.get("aliases", [])])
                problems.append(f"pypi: {name}=={version}: {ids} (fixed in {', '.join(v.get('fixed_in') or ['?'])})")
        else:
            not_checkable.append(f"{name}=={version} (latest {data.get('info', {}).get('version')})")
    print(
        f"online: yanked releases checked for every pin; advisories checked for {latest_checked} pins at their "
        f"latest release; {len(not_checkable)} not checkable for advisories: {', '.join(not_checkable) or 'none'}"
    )
    return problems


def _module_exists(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--online", choices=["yes", "no", "auto"], default="auto")
    ap.add_argument("--lock", type=Path, default=ROOT / "requirements.lock")
    args = ap.parse_args()
    problems = check_offline(args.lock)
    online = args.online == "yes" or (args.online == "auto" and _get("https://pypi.org/pypi/pip/json", 5) is not None)
    if online:
        problems += check_online(args.lock)
    else:
        print("online: skipped (no network, or --online no): advisories and yanked releases were NOT checked")
    for p in problems:
        print(p)
    print("audit: " + ("FAILED" if problems else "ok"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
