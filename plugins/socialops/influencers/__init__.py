"""Influencer discovery and scoring: candidates scored weekly, with every part shown
(docs/influencers.md)."""
