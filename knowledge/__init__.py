"""The knowledge base: documents, chunks, reviewed answers, and hybrid search over them.

Knows nothing of HTTP, WhatsApp or officers.
"""
