"""Runs a command in a pseudo-terminal, as a user at a terminal would.

Reads one JSON object from stdin:
  argv            the command and its arguments
  env, cwd        its environment and directory
  answer          text typed (followed by Enter) when `prompt` appears, e.g. "n"
  prompt          the text that shows a question is waiting (default "[y/N]")
  dialogue        several questions in order: [{"prompt": ..., "answer": ...}], each
                  answered (followed by Enter) once its prompt appears after the
                  previous answer
  interrupt_after_ms  types Ctrl-C this many ms after the start (the terminal
                  turns it into SIGINT for the command, as in a real terminal)
  timeout_s       kills the command after this long (default 240)

Writes one JSON object to stdout: exit code (128 + signal when killed by one),
the output (the terminal's one stream), and epoch-ms times of start, Ctrl-C
and exit.
"""

import json
import os
import pty
import select
import signal
import sys
import time


def now_ms() -> float:
    return time.time() * 1000


def main() -> int:
    spec = json.load(sys.stdin)
    prompt = spec.get("prompt", "[y/N]").encode()
    answer = spec.get("answer")
    interrupt_after = spec.get("interrupt_after_ms")
    timeout_s = spec.get("timeout_s", 240)

    started = now_ms()
    pid, fd = pty.fork()
    if pid == 0:
        os.chdir(spec.get("cwd", "."))
        os.execvpe(spec["argv"][0], spec["argv"], spec.get("env", dict(os.environ)))

    output = b""
    answered = False
    dialogue = spec.get("dialogue") or []
    replies = 0
    searched_from = 0
    interrupted_at = None
    status = None
    while True:
        elapsed = now_ms() - started
        if interrupt_after is not None and interrupted_at is None and elapsed >= interrupt_after:
            interrupted_at = now_ms()
            os.write(fd, b"\x03")
        if elapsed > timeout_s * 1000:
            os.kill(pid, signal.SIGKILL)
        wait = 0.05
        if interrupt_after is not None and interrupted_at is None:
            wait = max(0.0, min(wait, (interrupt_after - elapsed) / 1000))
        ready, _, _ = select.select([fd], [], [], wait)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                chunk = b""
            if chunk:
                output += chunk
                if answer is not None and not answered and prompt in output:
                    answered = True
                    # Ctrl-C is a key of its own; anything else is a line.
                    os.write(fd, answer.encode() + (b"" if answer == "\x03" else b"\r"))
                if replies < len(dialogue):
                    expected = dialogue[replies]["prompt"].encode()
                    found = output.find(expected, searched_from)
                    if found >= 0:
                        searched_from = found + len(expected)
                        os.write(fd, dialogue[replies]["answer"].encode() + b"\r")
                        replies += 1
                continue
        done, raw = os.waitpid(pid, os.WNOHANG)
        if done:
            status = raw
            break
    exited_at = now_ms()
    # Drain what the command wrote before it exited.
    while True:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if not ready:
            break
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    code = os.waitstatus_to_exitcode(status)
    if code < 0:
        code = 128 - code
    json.dump(
        {
            "code": code,
            "output": output.decode("utf-8", "replace"),
            "startedAt": started,
            "interruptedAt": interrupted_at,
            "exitedAt": exited_at,
            "answered": answered,
            "replies": replies,
        },
        sys.stdout,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
