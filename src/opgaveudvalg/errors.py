"""Errors a user can cause. The CLI prints their message without a traceback."""


class UserError(Exception):
    """Something the user can fix; the message names the file, line, field or setting."""
