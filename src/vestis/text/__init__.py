"""Text as vectors, shared by the recommenders (content models) and the shopping guide (semantic search)."""
