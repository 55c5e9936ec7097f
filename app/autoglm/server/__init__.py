"""The OpenAI-compatible HTTP API over the app's own engine (FastAPI + uvicorn, no Qt).

``create_app(settings, runtime)`` builds the ASGI app; ``ApiServer(runtime, settings)``
runs it on a background thread with ``start()`` / ``stop()``.
"""

from autoglm.server.app import create_app
from autoglm.server.runner import ApiServer

__all__ = ["ApiServer", "create_app"]
