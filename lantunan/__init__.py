"""Lantunan: a self-hosted assistant for Indonesian one-stop licensing offices (DPMPTSP).

This package holds what every layer shares: settings and the command-line entry point.
The layers themselves are the top-level packages ``ingest``, ``knowledge``, ``responder``,
``api`` and ``eval`` (one direction: api → responder → knowledge ← ingest).
"""

__version__ = "0.1.0"
