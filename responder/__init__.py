"""Turns an applicant's message into a Draft: grounded answer with citations, or a handoff.

No HTTP here; ``api`` and ``eval`` call :func:`responder.pipeline.respond`.
"""
