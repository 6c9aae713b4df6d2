"""Lantunan: a self-hosted assistant for Indonesian one-stop licensing offices (DPMPTSP).

This package holds the two ends of the layering: ``settings`` (a leaf every layer may import;
it imports nothing from the project) and ``cli`` (the composition root on top, which builds
the layers from settings; nothing below imports it). The layers themselves are the top-level
packages ``ingest``, ``knowledge``, ``responder``, ``api`` and ``eval`` (one direction:
api → responder → knowledge ← ingest); the README's package map says what each may import.
"""

__version__ = "0.1.0"
