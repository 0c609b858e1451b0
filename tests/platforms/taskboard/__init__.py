"""taskboard: a second platform for the gate, built with FastAPI and PyJWT by "another team".

See README.md beside this file for its accounts, operations, WebSocket protocol and planted faults.
"""

from tests.platforms.taskboard.app import create_app
from tests.platforms.taskboard.serve import serve
from tests.platforms.taskboard.settings import DEMO_ACCOUNTS, FAULTS, Account, Settings

__all__ = ["DEMO_ACCOUNTS", "FAULTS", "Account", "Settings", "create_app", "serve"]
