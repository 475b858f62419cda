"""The control API of the simulated sites (``/_control/...``): clock, faults, rate limit and access log.

* ``GET /_control/state``: the clock and settings;
* ``POST /_control/day {"day": N}``: set the simulated day;
* ``POST /_control/advance {"days": N}``: move the clock forward;
* ``POST /_control/faults {...}``: faults as in :meth:`Faults.from_mapping` (``"reset": true`` starts over);
* ``POST /_control/rate-limit {"rate": R, "burst": B}``: the per-client rate limit;
* ``GET /_control/log?since=N&limit=M``: the access log;
* ``DELETE /_control/log`` (or ``POST /_control/log/clear``): forget the access log.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

import orjson

from lagesbild.errors import InputError
from lagesbild.simulate.server.faults import Faults
from lagesbild.simulate.server.responses import Response, json_response

if TYPE_CHECKING:  # the app calls this module; only its type is needed here
    from lagesbild.simulate.server.app import SimApp

__all__ = ["control"]


def control(app: SimApp, method: str, path: str, query: str, body: bytes) -> Response:
    """Answer a request to ``/_control/...`` (not rate limited, not faulted, not logged).

    Bad input is answered ``400`` with ``{"error": ...}``; an unknown action ``404``.
    """
    try:
        data = orjson.loads(body) if body.strip() else {}
        if not isinstance(data, dict):
            raise InputError("the body must be a JSON object")
        action = path[len("/_control/") :].rstrip("/")
        if action == "state" and method == "GET":
            return json_response(app.state())
        if action == "day" and method == "POST":
            app.set_day(_int_field(data, "day"))
            return json_response(app.state())
        if action == "advance" and method == "POST":
            app.advance(_int_field(data, "days", 1))
            return json_response(app.state())
        if action == "faults" and method == "POST":
            app.set_faults(Faults.from_mapping(data, base=None if data.pop("reset", False) else app.faults))
            return json_response(app.state())
        if action == "rate-limit" and method == "POST":
            rate, burst = data.get("rate"), data.get("burst")
            app.set_rate_limit(None if rate is None else float(rate), None if burst is None else float(burst))
            return json_response(app.state())
        if action == "log" and method == "GET":
            q = parse_qs(query)
            since = int(q.get("since", ["0"])[0])
            limit = int(q["limit"][0]) if "limit" in q else None
            entries = app.access_log(since, limit)
            return json_response({"entries": entries, "last_seq": entries[-1]["seq"] if entries else since})
        if (action == "log" and method == "DELETE") or (action == "log/clear" and method == "POST"):
            app.clear_log()
            return json_response({"cleared": True})
    except orjson.JSONDecodeError as exc:
        return json_response({"error": f"not valid JSON: {exc}"}, 400)
    except InputError as exc:
        return json_response({"error": str(exc)}, 400)
    except (TypeError, ValueError) as exc:
        return json_response({"error": str(exc)}, 400)
    return json_response({"error": f"no control action {method} {path}"}, 404)


def _int_field(data: Mapping[str, Any], key: str, default: int | None = None) -> int:
    v = data.get(key, default)
    if v is None:
        raise InputError("required", field=key)
    if isinstance(v, bool) or not isinstance(v, int | str):
        raise InputError(f"expected an integer, got {v!r}", field=key)
    try:
        return int(v)
    except ValueError:
        raise InputError(f"expected an integer, got {v!r}", field=key) from None
