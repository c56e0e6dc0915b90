"""Living checks: link health and retractions, run by the scheduler."""
