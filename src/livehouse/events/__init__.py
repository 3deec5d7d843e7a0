"""Events, occurrences (recurrence rules), sessions, speakers, listing and search."""
