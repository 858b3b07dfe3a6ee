"""The coach's triage aid: typology (§6), Van der Lans styles (§18–§19), BuZz principles (§22).

Layers: ``data/*.yaml`` hold every text and rule; ``frameworks``/``questionnaire`` load and check
them; ``engine`` turns answers into suggestions (pure); ``caseload`` summarises an anonymous client
list per district; ``service.TriageService`` is what the core object, CLI and web app call.
"""
