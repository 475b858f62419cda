"""`lagesbild serve` and `lagesbild users ...`: the dashboard and its accounts."""

from __future__ import annotations

import getpass

import typer

from lagesbild.cli._common import OutputFormat, console, friendly_errors, render, settings_from, workspace
from lagesbild.errors import InputError

users_app = typer.Typer(help="Dashboard accounts: add, remove, reset passwords, list.", no_args_is_help=True)


def serve(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (0.0.0.0 for every interface)."),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
    https: bool = typer.Option(
        False, "--https", help="Served over HTTPS by a proxy in front: Secure cookies and HSTS."
    ),
    workers: int = typer.Option(1, "--workers", help="Web worker processes (PostgreSQL store for more than one)."),
) -> None:
    """Start the dashboard and JSON API (http://HOST:PORT/).

    Uses the data folder's store: SQLite by default (after `lagesbild demo --out demo-output`,
    `lagesbild --home demo-output/data serve` shows the demo's data), or `--db postgresql://...` for
    many users. Create the first account with `lagesbild users add NAME --role admin --scope SE`.

    Example: lagesbild --home demo-output/data serve --port 8000
    """
    import uvicorn

    from lagesbild.store import Store
    from lagesbild.store.web import WebStore
    from lagesbild.web import create_app

    settings = settings_from(ctx)
    with friendly_errors():
        if workers > 1 and settings.db.startswith("sqlite"):
            raise InputError("several workers need a PostgreSQL store (--db postgresql://...)", field="--workers")
        with Store.open(settings.db) as store:
            n_users = WebStore(store).count_users()
        app = create_app(settings, https=https, warm=True)
    if n_users == 0:
        console.print(
            "[yellow]No accounts yet:[/] create the first admin with "
            "`lagesbild users add NAME --role admin --scope SE`."
        )
    console.print(f"Dashboard: [bold]http://{host}:{port}/[/]  (Ctrl-C stops it)")
    if workers > 1:
        import os

        os.environ["LAGESBILD_DB"] = settings.db
        os.environ["LAGESBILD_HOME"] = str(settings.home)
        uvicorn.run("lagesbild.web._factory:app", factory=True, host=host, port=port, workers=workers,
                    log_level="warning")  # fmt: skip
    else:
        uvicorn.run(app, host=host, port=port, log_level="warning")


def _password(prompt: str) -> str:
    first = getpass.getpass(prompt)
    if getpass.getpass("Again: ") != first:
        raise InputError("the passwords differ", field="password")
    return first


@users_app.command("add")
def users_add(
    ctx: typer.Context,
    username: str = typer.Argument(..., help="The user name (1-64 characters)."),
    role: str = typer.Option("viewer", "--role", help="admin, analyst or viewer."),
    scope: str = typer.Option(
        ..., "--scope", help="SE for the whole country, or county codes separated by commas (05,06)."
    ),
    lang: str = typer.Option("sv", "--lang", help="Interface language: sv or en."),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from standard input (scripts) instead of a prompt."
    ),
) -> None:
    """Add a dashboard account (the password is asked for, never given on the command line).

    Example: lagesbild users add anna --role analyst --scope 05
    """
    from lagesbild.store.web import WebStore
    from lagesbild.web.pages import parse_scope
    from lagesbild.web.security import check_password_strength, hash_password

    with workspace(ctx) as ws:
        if lang not in ("sv", "en"):
            raise InputError("choose sv or en", field="--lang")
        codes = parse_scope(scope)
        password = input() if password_stdin else _password("Password: ")
        check_password_strength(password)
        WebStore(ws.store).add_user(username, hash_password(password), role=role, scope=codes, lang=lang)
        WebStore(ws.store).audit("cli", "change", target=f"users/{username}", detail=f"added ({role})")
    console.print(f"Added {username} ({role}, {', '.join(codes)}).")


@users_app.command("remove")
def users_remove(ctx: typer.Context, username: str = typer.Argument(..., help="The user name.")) -> None:
    """Remove an account and end its sessions."""
    from lagesbild.store.web import WebStore

    with workspace(ctx) as ws:
        if not WebStore(ws.store).remove_user(username):
            raise InputError(f"no user called {username!r}", field="username")
        WebStore(ws.store).audit("cli", "change", target=f"users/{username}", detail="removed")
    console.print(f"Removed {username}.")


@users_app.command("reset")
def users_reset(
    ctx: typer.Context,
    username: str = typer.Argument(..., help="The user name."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the new password from standard input."),
) -> None:
    """Set a new password for an account (its sessions end)."""
    from lagesbild.store.web import WebStore
    from lagesbild.web.security import check_password_strength, hash_password

    with workspace(ctx) as ws:
        password = input() if password_stdin else _password("New password: ")
        check_password_strength(password)
        if not WebStore(ws.store).set_password(username, hash_password(password)):
            raise InputError(f"no user called {username!r}", field="username")
        WebStore(ws.store).audit("cli", "change", target=f"users/{username}", detail="password reset")
    console.print(f"New password set for {username}.")


@users_app.command("list")
def users_list(
    ctx: typer.Context,
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table, csv or json."),
) -> None:
    """List the accounts (never their passwords)."""
    from lagesbild.store.web import WebStore

    with workspace(ctx) as ws:
        rows = [
            {"user": u.username, "role": u.role, "scope": ",".join(u.scope), "lang": u.lang, "created": u.created_at}
            for u in WebStore(ws.store).users()
        ]
    render(rows, fmt, title="Dashboard accounts")
