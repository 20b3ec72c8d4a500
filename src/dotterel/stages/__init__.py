"""Pipeline stages: each takes a Document and returns it with one more layer."""
