from fastapi import APIRouter, Response
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.core.db import get_engine

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str


# async: answered on the event loop, like every read; a sync endpoint would take two thread
# pool hops (the endpoint, then its response), three quarters of this answer's CPU
@router.get("/healthz", name="health-live")
async def healthz() -> Health:
    """The process is up."""
    return Health(status="ok")


@router.get("/readyz", name="health-ready", responses={503: {"model": Health}})
def readyz(response: Response) -> Health:
    """The database answers."""
    try:
        with get_engine().connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError:
        response.status_code = 503
        return Health(status="unavailable")
    return Health(status="ok")
