"""Insight pages: the dashboard and the partner relationship views."""

PAGES: list = []
