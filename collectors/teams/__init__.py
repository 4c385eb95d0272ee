"""People and teams from a GitHub organisation: fetch (network only), plan (the mapping rules,
pure), store (what would change, and writing it)."""
