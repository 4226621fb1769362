"""Registry service (civil affairs): the units of the campaign and their records."""
