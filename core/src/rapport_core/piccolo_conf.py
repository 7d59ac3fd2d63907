"""Piccolo's configuration module (PICCOLO_CONF points here): the engine and app registry."""

from piccolo.conf.apps import AppRegistry

from rapport_core.db import engine_for
from rapport_core.settings import get_settings

DB = engine_for(get_settings().database_url)
APP_REGISTRY = AppRegistry(apps=["rapport_core.piccolo_app"])
