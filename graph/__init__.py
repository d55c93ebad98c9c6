"""Graph core: settings, errors, the Bolt backend, engine start-up and the schema."""
