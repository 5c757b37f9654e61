"""Import endpoints take whole spreadsheets: a larger body limit than the rest of the API."""

from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from app.core.middleware import BodySizeLimitMiddleware


def _app() -> FastAPI:
    app = FastAPI()

    @app.post("/api/v1/things/bulk")
    @app.post("/api/v1/things")
    async def echo(request: Request) -> dict[str, int]:
        return {"size": len(await request.body())}

    app.add_middleware(BodySizeLimitMiddleware, max_bytes=1024, import_max_bytes=4096)
    return app


def test_imports_have_their_own_body_limit() -> None:
    client = TestClient(_app())
    body = b"x" * 2000
    assert client.post("/api/v1/things/bulk", content=body).json() == {"size": 2000}
    refused = client.post("/api/v1/things", content=body)
    assert refused.status_code == 413
    too_big = client.post("/api/v1/things/bulk", content=b"x" * 5000)
    assert too_big.status_code == 413
    assert "4096" in too_big.json()["detail"]
