"""`lagesbild simulate`: write a simulated ad market with its ground truth (thin over the library).

Both spellings work::

    lagesbild simulate run --preset tiny --seed 7 --out world
    lagesbild simulate --config world.yaml --seed 7 --out world

The server part adds `lagesbild simulate serve DIR` through ``lagesbild.simulate.server.register``.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from lagesbild.cli._common import console, err_console, friendly_errors
from lagesbild.simulate import PRESETS, load_config, simulate

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


try:
    from lagesbild.simulate.server import register as _register_serve
except ImportError:  # the server part is optional until it lands
    pass
else:
    _register_serve(app)
