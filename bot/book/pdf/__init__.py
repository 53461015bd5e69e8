"""PDF output: a streaming writer, embedded fonts, the interior and the cover."""
