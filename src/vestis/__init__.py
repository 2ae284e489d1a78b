"""Vestis: a self-hosted engine for AI fashion commerce."""

__version__ = "0.1.0"
