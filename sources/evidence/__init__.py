"""Evidence in and out: identifiers, contributors, citations and reference-manager files, look-ups,
imports."""
