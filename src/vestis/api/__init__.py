"""The HTTP API: FastAPI routes, dependencies and middleware that wire the capabilities together (no business logic)."""
