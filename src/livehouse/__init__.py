"""livehouse — the open-source backend for live entertainment."""

__version__ = "0.1.0"
