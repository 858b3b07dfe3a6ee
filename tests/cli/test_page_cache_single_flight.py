"""The page cache computes a cold page once however many requests ask for it at the same moment."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from roltrap.core import Roltrap
from roltrap.web.app import create_app


def test_concurrent_requests_for_a_cold_page_compute_it_once(rt_ro: Roltrap) -> None:
    app = create_app(rt_ro)
    calls = 0

    async def run() -> list[httpx.Response]:
        nonlocal calls
        inner = app.middleware_stack or app.build_middleware_stack()
        app.middleware_stack = inner

        # Count what reaches the routes: the cache sits in front of them.
        cache = inner
        while not hasattr(cache, "pending"):
            cache = cache.app  # type: ignore[attr-defined]
        routes = cache.app  # type: ignore[attr-defined]

        async def counting(scope: Any, receive: Any, send: Any) -> None:
            nonlocal calls
            calls += 1
            await routes(scope, receive, send)

        cache.app = counting  # type: ignore[attr-defined]
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return list(await asyncio.gather(*(client.get("/kaart.json?gemeente=GM0014") for _ in range(8))))

    answers = asyncio.run(run())
    assert calls == 1
    assert {r.status_code for r in answers} == {200}
    assert len({r.headers["etag"] for r in answers}) == 1 and len({r.content for r in answers}) == 1
