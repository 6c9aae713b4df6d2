"""Evaluation harness and benchmarks: replays question sets through the public responder path,
scores them, compares Lantunan with a plain retrieval baseline, and measures throughput/latency."""
