"""The web shop: server-rendered pages (Jinja2) and one stylesheet, served by the API process."""
