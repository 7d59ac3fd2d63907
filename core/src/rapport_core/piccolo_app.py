"""The Piccolo app holding Rapport's core tables and migrations."""

from pathlib import Path

from piccolo.conf.apps import AppConfig, table_finder

APP_CONFIG = AppConfig(
    app_name="rapport",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=table_finder(
        modules=[
            "rapport_core.tables",
            "rapport_core.pipeline.tables",
            "rapport_core.money.tables",
            "rapport_core.compliance.tables",
            "rapport_core.audit.tables",
            "rapport_core.agreements.tables",
            "rapport_core.tax.tables",
            "rapport_core.crm.tables",
            "rapport_core.importing.tables",
            "rapport_core.suggestions.tables",
        ],
        exclude_imported=True,
    ),
)
