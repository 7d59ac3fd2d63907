"""Domain services: the only code that reads or writes tables. Every function takes an
:class:`~rapport_core.actors.Actor` and touches only that actor's firm.
"""
