"""Guardrail rules: one small module per reason an applicant's message goes to a human.

Each module exposes ``rule``, a :class:`responder.rules.base.Rule` whose ``detect`` returns the
evidence (short cue labels, never the applicant's data) and whose call returns a ``Reason`` or
None. :mod:`responder.classify` runs them in order.
"""
