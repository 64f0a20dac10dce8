"""Pure decisions: triage and what each triage level lets a report hold."""
