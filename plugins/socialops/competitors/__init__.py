"""Competitor watch: the brand beside its competitors (docs/competitors.md)."""
