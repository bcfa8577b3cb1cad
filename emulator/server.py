#!/usr/bin/env python3
"""Our local AWS emulator: moto 5.2.1 in server mode, with our corrections.

    python3 emulator/server.py --port PORT [--host 127.0.0.1] [--without NAME ...]
        [--elb-quotas certificates=N,rules=N,target-groups=N] [--record FILE]
        [--build-seconds N] [--stack-seconds N]
    python3 emulator/server.py --list

Applies the corrections in emulator/corrections/ (see emulator/README.md and
emulator/README.md), starts moto's ThreadedMotoServer and prints exactly
one line to stdout once it accepts connections:

    emulator listening on http://HOST:PORT

It runs in the foreground until SIGINT or SIGTERM and then exits 0. ``--port 0``
picks a free port (the listening line tells which). ``POST /moto-api/reset``
clears all state.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import socket
import sys
import threading

HERE = os.path.dirname(os.path.abspath(__file__))


def _parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="emulator/server.py",
        description="moto server with the corrections our deploy sequence needs",
    )
    parser.add_argument("--port", type=int, default=4566, help="port (0: pick a free one)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument(
        "--without",
        nargs="+",
        action="append",
        default=[],
        metavar="NAME",
        help="leave out the named correction(s), and those that require them; repeatable",
    )
    parser.add_argument(
        "--elb-quotas",
        metavar="QUOTAS",
        help="lower the load balancer quotas reported and enforced, e.g. "
        "certificates=3,rules=6,target-groups=6 (also MLOPS_EMULATOR_ELB_QUOTAS)",
    )
    parser.add_argument(
        "--build-seconds",
        type=float,
        metavar="N",
        help="a pipeline's build lasts at least N seconds (correction build-duration; "
        "also MLOPS_EMULATOR_BUILD_SECONDS)",
    )
    parser.add_argument(
        "--stack-seconds",
        type=float,
        metavar="N",
        help="a slow stack's creation (NAT gateway, load balancer, EFS mount target or ECS "
        "service) reads CREATE_IN_PROGRESS for N seconds (correction stack-duration; also "
        "MLOPS_EMULATOR_STACK_SECONDS)",
    )
    parser.add_argument(
        "--record",
        metavar="FILE",
        help="append every distinct AWS JSON/query request and its answer to FILE "
        "(JSON lines, read by emulator/shape_check.py)",
    )
    parser.add_argument(
        "--record-label", metavar="TEXT", help="who started this emulator, for --record"
    )
    parser.add_argument("--list", action="store_true", help="list the corrections and exit")
    parser.add_argument(
        "--verbose", action="store_true", help="log every request to stderr"
    )
    return parser.parse_args(argv)


def _wait_until_accepting(host: str, port: int, timeout: float = 10.0) -> None:
    probe_host = "127.0.0.1" if host in ("0.0.0.0", "") else host
    deadline = timeout
    step = 0.02
    waited = 0.0
    while True:
        try:
            with socket.create_connection((probe_host, port), timeout=1.0):
                return
        except OSError:
            if waited >= deadline:
                raise
            threading.Event().wait(step)
            waited += step


def main(argv: list[str]) -> int:
    args = _parse_args(argv)
    sys.path.insert(0, HERE)
    from corrections import all_corrections, apply_corrections, left_out

    if args.list:
        for correction in all_corrections():
            requires = f" (requires {', '.join(correction.requires)})" if correction.requires else ""
            print(f"{correction.name:26} item {correction.item:>2}  {correction.summary}{requires}")
        return 0

    os.environ.setdefault("MOTO_ACM_VALIDATION_WAIT", "0")
    without = [name for group in args.without for name in group]
    known = {correction.name for correction in all_corrections()}
    unknown = sorted(set(without) - known)
    if unknown:
        print(
            f"emulator: unknown correction(s): {', '.join(unknown)} "
            f"(known: {', '.join(sorted(known))})",
            file=sys.stderr,
        )
        return 2

    if args.elb_quotas is not None:
        from corrections.elb_quotas import ENV, parse_quotas

        try:
            parse_quotas(args.elb_quotas)
        except ValueError as exc:
            print(f"emulator: {exc}", file=sys.stderr)
            return 2
        os.environ[ENV] = args.elb_quotas

    for value, env in ((args.build_seconds, "MLOPS_EMULATOR_BUILD_SECONDS"), (args.stack_seconds, "MLOPS_EMULATOR_STACK_SECONDS")):
        if value is not None:
            if value < 0:
                print(f"emulator: a duration must be 0 or more seconds, got {value}", file=sys.stderr)
                return 2
            os.environ[env] = str(value)

    import moto  # noqa: F401  (load moto before patching it)

    apply_corrections(without)

    if not args.verbose:
        logging.getLogger("werkzeug").setLevel(logging.ERROR)

    from moto.server import ThreadedMotoServer

    if args.record:
        from recorder import recording_server

        server = recording_server(
            ThreadedMotoServer, args.record, args.record_label or "emulator",
            ip_address=args.host, port=args.port, verbose=False,
        )
    else:
        server = ThreadedMotoServer(ip_address=args.host, port=args.port, verbose=False)
    stop = threading.Event()

    def _on_signal(signum: int, frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)

    try:
        server.start()
    except OSError as exc:
        print(f"emulator: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    host, port = server.get_host_and_port()
    _wait_until_accepting(host, port)
    print(f"emulator listening on http://{host}:{port}", flush=True)
    if without:
        followers = [name for name in left_out(without) if name not in without]
        also = f"; also {', '.join(followers)}, which require them" if followers else ""
        print(f"emulator: corrections left out (without {', '.join(without)}{also})", file=sys.stderr, flush=True)

    stop.wait()
    # No graceful shutdown: werkzeug's takes its 0.5 s poll interval and the
    # interpreter another 0.4 s to tear moto down; the state dies with us anyway.
    try:
        if server._server is not None:
            server._server.server_close()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
