"""Open data: the JSON API, the evidence map, the dated downloads."""
