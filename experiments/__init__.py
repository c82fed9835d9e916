"""Entry points that build on the model: scenario comparisons, and later sensitivity and hindcasts."""
