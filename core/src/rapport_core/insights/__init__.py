"""Relationship intelligence: metrics, reciprocity, partner health, the partner matrix,
dormancy, network gaps, partner matching and the daily briefing. Computed in set-based SQL."""
