"""Pure decisions over the knowledge base: nothing here prints, prompts or reads the environment."""
