"""Compliance: YAML rule packs compiled onto durable-rules, evaluated over fact documents."""
