"""API for relationship intelligence: metrics, reciprocity, health, matrix, gaps, matching,
briefing."""

CONTROLLERS: list = []
