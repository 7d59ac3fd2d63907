"""Merge suggestions: someone who may be a partner the firm already has, from any source.

A CRM sync suggests a CRM record (not yet a partner) whose name and organisation match a
partner's; an import suggests a partner it just created that matches an earlier one. Both
wait here, in one list, until a person decides: ``merge`` (the same person) or ``separate``
(different people). What a decision does depends on where the suggestion came from; see
:mod:`rapport_core.crm.suggestions` and :mod:`rapport_core.importing.suggestions`.
"""
