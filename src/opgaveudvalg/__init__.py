"""opgaveudvalg: runs co-creation task committees for Danish municipalities."""
