"""Pydantic models of what the JSON API returns, one small module per area. Services build
them and routes declare them, so ``/openapi.json`` documents every response; the console
renders the same models. Field names are the JSON API's (stable for existing clients)."""
