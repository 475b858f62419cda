"""The JSON API fuzzed by schemathesis from its own OpenAPI description: no answer is a server error.

Every operation is called as the national admin (who may call all of them) and as a county viewer
(who gets 403s for some), with a bounded number of generated examples per operation. The writes are
fuzzed too (campaigns registered, crawl jobs queued, assumptions recalculated); a generated
defendant correction is sent to a defendant this test adds, and a generated password reset or account
removal to an account this test adds, so the shared rows and accounts stay as they are.
"""

from __future__ import annotations

import uuid

import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from tests.web.conftest import login
from tests.web.test_access import all_routes
from tests.web.test_defendant_corrections import _by_case, _record

from lagesbild.store import Store
from lagesbild.store.verdicts import DefendantStore
from lagesbild.store.web import WebStore
from lagesbild.web import hash_password
from lagesbild.web.app import SESSION_COOKIE

MAX_EXAMPLES = 15
STATUSES: dict[int, int] = {}


def test_no_operation_answers_with_a_server_error(app: FastAPI, web_store: Store) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    users = [login(app, "admin", ip="10.5.5.5"), login(app, "viewer05", ip="10.5.5.6")]
    operations = [r.ok() for r in schema.get_all_operations()]
    described = {(op.method.upper(), op.path) for op in operations}
    served = {(m, p) for m, p in all_routes(app.routes) if p.startswith("/api/") and m != "HEAD"}
    assert served <= described, f"API routes missing from the description: {sorted(served - described)}"
    assert ("PATCH", "/api/verdicts/defendants/{defendant_id}") in described
    mine = _record("0580")
    DefendantStore(web_store).add([("0" * 64, mine)])
    mine_id = _by_case(web_store, mine.case_key).id
    victim = f"fuzz-victim-{uuid.uuid4().hex[:8]}"
    WebStore(web_store).add_user(victim, hash_password("z" * 12), role="viewer", scope=("05",))
    calls = 0

    for op in operations:

        @given(case=op.as_strategy())
        @settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def fuzz(case: schemathesis.Case) -> None:
            nonlocal calls
            if case.method.upper() == "PATCH" and "defendant_id" in (case.path_parameters or {}):
                case.path_parameters = {**(case.path_parameters or {}), "defendant_id": mine_id}
            if case.method.upper() in ("PUT", "DELETE") and "username" in (case.path_parameters or {}):
                case.path_parameters = {**(case.path_parameters or {}), "username": victim}
            for user in users:
                headers = {**(case.headers or {}), "X-CSRF-Token": user.csrf}
                cookies = {SESSION_COOKIE: user.client.cookies.get(SESSION_COOKIE) or ""}
                response = case.call(cookies=cookies, headers=headers)
                calls += 1
                STATUSES[response.status_code] = STATUSES.get(response.status_code, 0) + 1
                assert response.status_code < 500, (
                    case.method, case.formatted_path, response.status_code, response.text[:300],
                )  # fmt: skip

        fuzz()
    assert calls >= len(operations) * 2
    assert STATUSES.get(200, 0) > len(operations), STATUSES  # most calls got through the login, not 401
