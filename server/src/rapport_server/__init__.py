"""Rapport's web server: the REST API and the web UI, assembled from installed plugins."""

__version__ = "0.1.0"
