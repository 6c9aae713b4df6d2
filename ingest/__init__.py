"""Turning files into documents, chunks and reviewed answers for the knowledge base."""
