"""`lagesbild key rotate` and `lagesbild key check`."""

from __future__ import annotations

import typer

from lagesbild.cli._common import console, friendly_errors, settings_from
from lagesbild.privacy_rotate import rotate_key
from lagesbild.workspace import open_workspace

app = typer.Typer(help="The pseudonymization key: check it against the store, rotate it.", no_args_is_help=True)


@app.command("check")
def check(ctx: typer.Context) -> None:
    """Check that the key file is present, private and the store's key.

    Example: lagesbild key check
    """
    settings = settings_from(ctx)
    with friendly_errors(), open_workspace(settings) as ws:
        fp = ws.pseudonymizer.fingerprint
    console.print(f"Key {settings.key_file} matches the store (fingerprint {fp}).")


@app.command("rotate")
def rotate(ctx: typer.Context) -> None:
    """Re-key every stored pseudonym with a fresh key, in one transaction, without losing links.

    Each pseudonym p becomes HMAC(new key, p): pseudonyms after the rotation are a function of
    the old ones, so links, counts and estimates are unchanged. The key file becomes a chain
    (one line per generation, all needed); back up the new key file. An interrupted rotation
    is completed by running the command again.

    Example: lagesbild key rotate
    """
    with friendly_errors():
        res = rotate_key(settings_from(ctx))
    if res.resumed:
        console.print(f"Completed an interrupted rotation: {res.key_file} now holds the store's key.")
        return
    console.print(
        f"Rotated the key: fingerprint {res.old_fingerprint} -> {res.new_fingerprint}; "
        f"{res.pseudonyms:,} pseudonyms re-keyed in {res.values:,} stored values. "
    )
    console.print(f"{res.key_file} now holds {res.generations} key generations: back it up again.")
