"""Pure decisions: the probabilistic cause model and the adaptive interview.

Nothing in this package prints, prompts, reads the environment or touches the terminal.
"""
