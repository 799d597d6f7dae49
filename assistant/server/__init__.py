"""`assistant serve`: the HTTP JSON service, a third shell over the core beside the CLI and the REPL.

Built on FastAPI and served by uvicorn (the extra `server`). One router per resource under
`routers/`; authentication, the clock, the store and the operations come from `deps.py`; errors
meant for people become JSON in one exception handler (`app.py`).
"""

MISSING = ("error: the service needs FastAPI and uvicorn, which are not installed; "
           "install them with: pip install 'digital-message-assistant[server]'")
