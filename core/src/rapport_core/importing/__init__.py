"""Importing partners from files: CSV exports (Outlook, Google Contacts, LinkedIn, any
spreadsheet with a column mapping) and vCard 3.0/4.0. How it works: docs/import.md."""
