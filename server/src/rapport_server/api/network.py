"""API for the network: the partner matrix, gaps and partner matching."""

CONTROLLERS: list = []
