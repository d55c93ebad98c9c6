"""Property-based fuzzing (hypothesis) of every parser, rule compiler and JSON API input."""
