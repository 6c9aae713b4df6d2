"""HTTP service: WhatsApp webhook, generic channel, officer queue, curation, audit.

The business logic lives in plain service functions (``api.services``) so JSON routes and
future HTML pages call the same code; routers only translate HTTP to those calls.
"""
