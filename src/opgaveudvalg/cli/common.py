"""What every stage's commands share: who is acting, for the audit log."""

import getpass


def actor() -> str:
    return f"cli:{getpass.getuser()}"
