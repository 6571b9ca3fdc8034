"""`dossier serve` (the reception desk web app) and `dossier user add` (staff accounts)."""

from __future__ import annotations

import argparse
import getpass
import os
import sys

__all__ = ["add_parser"]


def add_parser(commands: argparse._SubParsersAction) -> None:
    serve = commands.add_parser(
        "serve", help="start the reception desk web app",
        description="Start the reception desk web app (Vietnamese pages and the JSON API "
                    "under /api). Open http://HOST:PORT/ in a browser at the desk.")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on "
                       "(default 127.0.0.1: this PC only)")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    serve.set_defaults(run=run_serve)

    user = commands.add_parser("user", help="manage staff accounts of the web app",
                               description="Manage staff accounts of the web app.")
    actions = user.add_subparsers(dest="user_command", metavar="ACTION", required=True)
    add = actions.add_parser(
        "add", help="create a staff account",
        description="Create a staff account. The password is read from the terminal, or from "
                    "the DOSSIER_NEW_PASSWORD variable when there is no terminal.")
    add.add_argument("username")
    add.add_argument("--role", choices=("reception", "supervisor", "admin"), default="reception")
    add.add_argument("--agency", metavar="CODE",
                     help="agency code (default: DOSSIER_AGENCY_CODE or 000.00.00.H00)")
    add.add_argument("--name", default="", help="full name shown on receipts")
    add.set_defaults(run=run_user_add)


def run_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from webapp.app import create_app

    try:
        app = create_app()
    except Exception as exc:  # configuration or database: one line, no traceback
        print(f"dossier: serve: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    print(f"Ứng dụng tiếp nhận hồ sơ: http://{args.host}:{args.port}/", file=sys.stderr)
    # access_log off: uvicorn's access lines carry query strings; our middleware logs paths only.
    uvicorn.run(app, host=args.host, port=args.port, access_log=False, log_level="info")
    return 0


def _password() -> str | None:
    given = os.environ.get("DOSSIER_NEW_PASSWORD")
    if given:
        return given
    if not sys.stdin.isatty():
        return None
    first = getpass.getpass("Mật khẩu: ")
    if getpass.getpass("Nhập lại mật khẩu: ") != first:
        print("dossier: user add: the two passwords differ", file=sys.stderr)
        return None
    return first


def run_user_add(args: argparse.Namespace) -> int:
    from archive.transactions import in_write_transaction
    from models.database import open_database
    from webapp.accounts import AccountError, add_user, create_tables
    from webapp.config import DEFAULT_AGENCY

    password = _password()
    if not password:
        print("dossier: user add: no password (type it, or set DOSSIER_NEW_PASSWORD)",
              file=sys.stderr)
        return 2
    agency = args.agency or os.environ.get("DOSSIER_AGENCY_CODE") or DEFAULT_AGENCY
    engine, sessions = open_database()
    try:
        create_tables(engine)
        with sessions() as session:
            user = in_write_transaction(session, lambda s: add_user(
                s, args.username, password, role=args.role, agency_code=agency,
                full_name=args.name))
    except AccountError as exc:
        print(f"dossier: user add: {exc}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    print(f"created {user.username} ({user.role}, agency {user.agency_code})")
    return 0
