"""The README's "five-minute tour" runs as written: every command in its code block exits 0, in order.

The commands are extracted from README.md, not copied here, so the tour cannot drift from what runs.
They run in a temporary folder (with the repository's ``docs/`` linked in, since the tour runs from the
repository's folder), in-process through the CLI, except the line ending in ``&``: the simulator's
server runs as a real background process, as a user would start it. The only change made to a command is
the port: when 8700 is taken, a free one is used instead and ``crawl`` is given the matching ``--base-url``.
The setup line (``bash scripts/setup.sh && source .venv/bin/activate``) is the environment this test
already runs in, so it is the one line not run.
"""

from __future__ import annotations

import os
import re
import shlex
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lagesbild.cli import app

ROOT = Path(__file__).resolve().parents[1]
SETUP_LINE = ["bash", "scripts/setup.sh", "&&", "source", ".venv/bin/activate"]
TOUR_PORT = "8700"

pytestmark = pytest.mark.slow


def tour_commands(readme: str) -> list[list[str]]:
    """The commands of the tour's code block as words (shell quoting undone, comments removed)."""
    section = readme.split("## A five-minute tour", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block, "README.md: the tour has no ```sh code block"
    commands = []
    for line in block.group(1).splitlines():
        words = shlex.split(line, comments=True)
        if words:
            commands.append(words)
    return commands


def test_the_tour_is_extracted_with_its_commands() -> None:
    commands = tour_commands((ROOT / "README.md").read_text(encoding="utf-8"))
    assert commands[0] == SETUP_LINE
    assert all(c[0] == "lagesbild" for c in commands[1:]), commands
    assert sum(c[-1] == "&" for c in commands) == 1  # the simulator's server
    names = {c[1] for c in commands[1:]}
    assert {"demo", "simulate", "import", "crawl", "stats", "link", "estimate", "report"} <= names


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _port_is_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@pytest.fixture
def tour_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    for name in list(os.environ):
        if name.startswith("LAGESBILD_"):
            monkeypatch.delenv(name)  # the tour uses the defaults: ./lagesbild-data, SQLite
    (tmp_path / "docs").symlink_to(ROOT / "docs", target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    yield tmp_path


def _start_server(words: list[str], cwd: Path) -> subprocess.Popen[str]:
    command = shlex.join(words) + " &"
    assert words[0] == "lagesbild"
    exe = Path(sys.executable).with_name("lagesbild")
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAGESBILD_")}
    proc = subprocess.Popen(
        [str(exe), *words[1:]], cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    port = int(words[words.index("--port") + 1])
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            out = proc.stdout.read() if proc.stdout else ""
            pytest.fail(f"`{command}` exited with {proc.returncode}:\n{out}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc
        except OSError:
            time.sleep(0.5)
    proc.kill()
    pytest.fail(f"`{command}` did not listen on port {port} within 120 s")


def test_every_tour_command_exits_0(tour_dir: Path) -> None:
    commands = tour_commands((ROOT / "README.md").read_text(encoding="utf-8"))
    assert commands[0] == SETUP_LINE
    port = TOUR_PORT if _port_is_free(int(TOUR_PORT)) else str(_free_port())
    runner = CliRunner()
    server: subprocess.Popen[str] | None = None
    timings: list[tuple[float, str]] = []
    try:
        for line in commands[1:]:
            words = [w.replace(TOUR_PORT, port) for w in line]
            if words[-1] == "&":
                server = _start_server(words[:-1], tour_dir)
                continue
            command = shlex.join(words)
            words = words[1:]
            if words[0] == "crawl" and port != TOUR_PORT and "--base-url" not in words:
                words += ["--base-url", f"http://127.0.0.1:{port}/{words[1]}/"]
            started = time.monotonic()
            res = runner.invoke(app, words)
            timings.append((time.monotonic() - started, command))
            assert res.exit_code == 0, f"`{command}` exited with {res.exit_code}:\n{res.output}\n{res.exception!r}"
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    # What the tour says it makes is there.
    assert (tour_dir / "stats.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert (tour_dir / "crc" / "2024_05.csv").is_file()
    assert (tour_dir / "tornado.png").stat().st_size > 0
    for seconds, command in sorted(timings, reverse=True)[:5]:
        print(f"{seconds:6.1f} s  {command}")
