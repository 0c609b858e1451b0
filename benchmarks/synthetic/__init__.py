"""A synthetic platform for `benchmarks/scale.py`: a FastAPI service of N generated CRUD collections.

It is benchmark code, written the way a team would write a small service (FastAPI's generated OpenAPI
3.1 document, a form login answering an HS256 JWT, items owned per user), faithful to its own document
so that the gate passes it; only its size varies. Nothing outside `benchmarks/` imports it.

    with serve(kinds=6, settings=Settings(ACCOUNTS)) as url:   # 6 × 5 + 3 = 33 operations
        ...                                                    # "http://127.0.0.1:40123"
"""

from benchmarks.synthetic.app import create_app, serve
from benchmarks.synthetic.auth import ACCOUNTS, Account, Settings

__all__ = ["ACCOUNTS", "Account", "Settings", "create_app", "serve"]
