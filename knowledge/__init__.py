"""The shipped knowledge base. Only YAML here; this file makes the folder a package so that
the wheel carries it and importlib.resources finds it (installed as assistant.shipped_kb)."""
