"""Seeded scenario content, one module per emulated service."""
