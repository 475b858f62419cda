"""`lagesbild users add/remove/reset/list` on both backends, and `lagesbild serve --help`."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from lagesbild.cli import app
from lagesbild.settings import Settings
from lagesbild.store import Store
from lagesbild.store.web import WebStore
from lagesbild.web.security import verify_password

runner = CliRunner()
PW = "Första-lösenordet-1"


def _args(settings: Settings) -> list[str]:
    return ["--home", str(settings.home), "--db", settings.db]


def test_users_add_list_reset_remove(settings: Settings) -> None:
    a = _args(settings)
    assert runner.invoke(app, [*a, "init"]).exit_code == 0
    res = runner.invoke(app, [*a, "users", "add", "anna", "--role", "admin", "--scope", "SE", "--password-stdin"],
                        input=PW + "\n")  # fmt: skip
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, [*a, "users", "add", "bo", "--role", "viewer", "--scope", "05, 06", "--password-stdin"],
                        input=PW + "\n")  # fmt: skip
    assert res.exit_code == 0, res.output
    listed = json.loads(runner.invoke(app, [*a, "users", "list", "--format", "json"]).output)
    assert [(u["user"], u["role"], u["scope"]) for u in listed] == [("anna", "admin", "SE"), ("bo", "viewer", "05,06")]
    assert PW not in json.dumps(listed)
    res = runner.invoke(app, [*a, "users", "reset", "bo", "--password-stdin"], input="Ett-nytt-lösenord\n")
    assert res.exit_code == 0, res.output
    with Store.open(settings.db) as store:
        bo = WebStore(store).user("bo")
        assert bo is not None and verify_password(bo.password_hash, "Ett-nytt-lösenord")
        assert not verify_password(bo.password_hash, PW)
    assert runner.invoke(app, [*a, "users", "remove", "bo"]).exit_code == 0
    listed = json.loads(runner.invoke(app, [*a, "users", "list", "--format", "json"]).output)
    assert [u["user"] for u in listed] == ["anna"]


def test_users_add_refuses_bad_input_and_stores_nothing(settings: Settings) -> None:
    a = _args(settings)
    assert runner.invoke(app, [*a, "init"]).exit_code == 0
    cases = [
        (["--role", "boss", "--scope", "SE"], PW, "role"),
        (["--role", "viewer", "--scope", "99"], PW, "scope"),
        (["--role", "viewer", "--scope", "05"], "short", "password"),
    ]
    for opts, pw, field in cases:
        res = runner.invoke(app, [*a, "users", "add", "x", *opts, "--password-stdin"], input=pw + "\n")
        assert res.exit_code == 2, res.output
        assert field in res.output
    res = runner.invoke(app, [*a, "users", "remove", "nobody"])
    assert res.exit_code == 2 and "nobody" in res.output
    with Store.open(settings.db) as store:
        assert WebStore(store).count_users() == 0


def test_serve_is_a_command() -> None:
    res = runner.invoke(app, ["serve", "--help"])
    assert res.exit_code == 0 and "--port" in res.output
