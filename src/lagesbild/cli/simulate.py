"""`lagesbild simulate`: write a simulated ad market with its ground truth (thin over the library).

Both spellings work::

    lagesbild simulate run --preset tiny --seed 7 --out world
    lagesbild simulate --config world.yaml --seed 7 --out world

`lagesbild simulate serve DIR` serves a world's sites over HTTP (:class:`lagesbild.simulate.server.SimServer`).
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from lagesbild.cli._common import console, err_console, friendly_errors
from lagesbild.simulate import PRESETS, load_config, simulate
from lagesbild.simulate.server import Faults, SimServer

app = typer.Typer(
    help="Simulate a Swedish ad market with known ground truth.",
    invoke_without_command=True,
    no_args_is_help=False,
)

_CONFIG = typer.Option(None, "--config", "-c", help="World config YAML (see docs/simulator.md).")
_PRESET = typer.Option(None, "--preset", "-p", help=f"A bundled preset: {', '.join(PRESETS)}.")
_SEED = typer.Option(7, "--seed", help="Random seed; the same seed gives byte-identical output.")
_OUT = typer.Option(None, "--out", "-o", help="Output folder.")
_QUIET = typer.Option(False, "--quiet", "-q", help="No progress bar.")


def _run(config: Path | None, preset: str | None, seed: int, out: Path | None, quiet: bool) -> None:
    if out is None:
        err_console.print("[red]error:[/red] --out DIR is required")
        raise typer.Exit(2)
    if config is not None and preset is not None:
        err_console.print("[red]error:[/red] give --config or --preset, not both")
        raise typer.Exit(2)
    with friendly_errors():
        cfg = load_config(config if config is not None else (preset or "tiny"))
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.percentage:>3.0f}%"),
            TimeElapsedColumn(),
            console=err_console,
            disable=quiet,
            transient=True,
        ) as bar:
            tasks: dict[str, int] = {}

            def progress(stage: str, fraction: float) -> None:
                if stage not in tasks:
                    tasks[stage] = bar.add_task(stage, total=1.0)
                bar.update(tasks[stage], completed=fraction)  # type: ignore[arg-type]

            r = simulate(cfg, seed, out, progress=progress)
    console.print(
        f"Wrote {r.out_dir}: {r.observations:,} observations, {r.ad_versions:,} ad versions, "
        f"{r.ads:,} site ads, {r.sellers:,} sellers"
        + (f", {r.purchases:,} purchases" if r.purchases is not None else " (no demand side: purchases not simulated)")
    )


@app.callback()
def _default(
    ctx: typer.Context,
    config: Path | None = _CONFIG,
    preset: str | None = _PRESET,
    seed: int = _SEED,
    out: Path | None = _OUT,
    quiet: bool = _QUIET,
) -> None:
    """Simulate a world: `lagesbild simulate --config world.yaml --seed 7 --out DIR`."""
    if ctx.invoked_subcommand is None:
        if out is None:
            console.print(ctx.get_help())
            raise typer.Exit(0)
        _run(config, preset, seed, out, quiet)


@app.command("run")
def run(
    config: Path | None = _CONFIG,
    preset: str | None = _PRESET,
    seed: int = _SEED,
    out: Path | None = _OUT,
    quiet: bool = _QUIET,
) -> None:
    """Simulate a world and write observations, site pages and ground truth to --out."""
    _run(config, preset, seed, out, quiet)


@app.command("serve")
def serve_command(
    out_dir: Path = typer.Argument(..., exists=True, file_okay=False, help="A simulator output folder (with sites/)."),
    port: int = typer.Option(8700, "--port", help="Port on 127.0.0.1 (0 picks a free one)."),
    day: int = typer.Option(0, "--day", help="The simulated day the clock starts at."),
    rate_limit: float | None = typer.Option(
        None, "--rate-limit", help="Requests per second allowed per client; faster gets 429 with Retry-After."
    ),
    burst: float | None = typer.Option(
        None, "--burst", help="Requests a client may make at once (default: one second's worth)."
    ),
    faults: list[str] = typer.Option(
        [],
        "--faults",
        help="Faults as key=value[,key=value]: errors=RATE, slow=RATE, slow-seconds=S, "
        "layout-change=SITE[+SITE]|all, seed=N.",
    ),
    crawl_delay: int = typer.Option(1, "--crawl-delay", help="Crawl-delay announced in robots.txt (seconds)."),
    access_log: Path | None = typer.Option(
        None, "--access-log", help="Also append every request as a JSON line to this file."
    ),
) -> None:
    """Serve the simulated ad sites on loopback, day by day in simulated time.

    One port serves every site under /<site>/ on 127.0.0.1.

    Set the clock with POST /_control/day {"day": N}, POST /_control/advance or the header X-Sim-Day: N.

    GET /_control/state shows the settings, GET /_control/log the access log. See docs/simulator-server.md.
    """
    with friendly_errors(), contextlib.ExitStack() as stack:
        log_fh = stack.enter_context(access_log.open("a", encoding="utf-8", buffering=1)) if access_log else None
        server = SimServer(
            out_dir,
            port=port,
            day=day,
            rate_limit=rate_limit,
            burst=burst,
            faults=Faults.parse(faults) if faults else None,
            crawl_delay=crawl_delay,
            access_log=log_fh,
        )
        with server:
            typer.echo(f"Serving {len(server.app.sites)} site(s) on {server.url}/ (day {day}); Ctrl-C stops.")
            for name, site in server.app.sites.items():
                typer.echo(f"  {server.url}/{name}/  ({site.spec.layout}, {len(site.rows)} ad versions)")
            _stop_on_sigterm(server)
            server.wait()


def _stop_on_sigterm(server: SimServer) -> None:
    import signal

    def handler(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    with contextlib.suppress(ValueError):  # not in the main thread (e.g. under a test runner)
        signal.signal(signal.SIGTERM, handler)
