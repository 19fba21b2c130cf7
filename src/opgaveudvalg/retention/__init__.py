"""Personal data over its life: deletion on schedule (`schedule`), and a person's rights of access
and erasure (`person`)."""
