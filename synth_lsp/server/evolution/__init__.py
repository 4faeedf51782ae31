"""The evolution feature: workers, progress and the population offered back (being split up)."""
