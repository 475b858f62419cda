"""Normalize: turn raw ad observations into clean, typed facts (places, identifiers, ...)."""
