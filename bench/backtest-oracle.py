#!/usr/bin/env python3
"""An OpenAI-compatible model server for bench/backtest-real.sh that answers each backtest case with its real fix.

It reads the issue title from the prompt (`<issue>\n# TITLE`), finds the commit of the repository whose subject is
that title, and answers with that commit's change as SEARCH/REPLACE blocks (each SEARCH widened until it occurs once
in the parent's file, as the edit format asks): its code as the commit has it (not its documentation), and its tests as a new file, since
by default a candidate may add tests but not change existing ones (and the search accepts a patch only when a test
goes from failing to passing). Of a changed Python test file `test_x.py`, the tests the fix added or changed
(with the module's other top-level statements) go to `test_backtest_x.py`; the judge removes it and puts the fix's own tests in place. Prints one line per request on
stderr.
"""
import argparse
import ast
import difflib
import json
import re
import subprocess
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DOCUMENTATION = re.compile(r"\.(md|rst|txt)$|^docs?/|^documentation/|(^|/)CHANGES", re.IGNORECASE)
TEST_NAME = re.compile(r"(^|/)(tests?|__tests__|spec)/|(^|/)test_[^/]*$|_test\.[a-z]+$|Tests?\.java$|\.(spec|test)\.[jt]sx?$")


def git(repo, *args):
    return subprocess.run(["git", "-C", repo, *args], check=True, capture_output=True).stdout


def is_test(path):
    return TEST_NAME.search(path) is not None


def blocks(path, before, after):
    """SEARCH/REPLACE blocks that turn `before` into `after`; every SEARCH occurs once in `before`."""
    if before is None:
        return [f"{path}\n<<<<<<< SEARCH\n=======\n{after}>>>>>>> REPLACE\n"]
    a = before.splitlines(keepends=True)
    b = after.splitlines(keepends=True)
    for context in (3, 6, 12, 24, 48, 10 ** 6):
        out = []
        for group in difflib.SequenceMatcher(None, a, b, autojunk=False).get_grouped_opcodes(context):
            i1, i2 = group[0][1], group[-1][2]
            j1, j2 = group[0][3], group[-1][4]
            search = "".join(a[i1:i2])
            if not search or before.count(search) != 1:
                break
            out.append(f"{path}\n<<<<<<< SEARCH\n{search}=======\n{''.join(b[j1:j2])}>>>>>>> REPLACE\n")
        else:
            return out
    raise ValueError(f"no unique SEARCH for {path}")


def new_tests(before, after):
    """The Python test module `after` with only the tests (functions and classes) that are new or changed since
    `before`, and every other top-level statement (imports, helpers' set-up): a whole copy would run every old test
    twice, and tests that watch the interpreter's state (what is imported yet) fail when run twice."""
    def pieces(text):
        lines = text.splitlines(keepends=True)
        for node in ast.parse(text).body:
            first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
            yield node, "".join(lines[first - 1:node.end_lineno])

    old = {node.name: source for node, source in pieces(before)
           if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
    kept = []
    for node, source in pieces(after):
        is_test = isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name.lower().startswith("test")
        if not is_test or old.get(node.name) != source:
            kept.append(source if source.endswith("\n") else source + "\n")
    return "\n".join(kept)


def answer(repo, commit):
    parent = commit + "^"
    parts = []
    for line in git(repo, "diff", "--name-status", "--no-renames", parent, commit).decode().splitlines():
        status, path = line.split("\t", 1)
        if status not in ("M", "A") or DOCUMENTATION.search(path):
            continue  # deletions are rare in fixes; documentation is no test's concern
        after = git(repo, "show", f"{commit}:{path}").decode()
        if is_test(path):
            folder, _, name = path.rpartition("/")
            if status == "M" and name.startswith("test_") and name.endswith(".py"):
                before = git(repo, "show", f"{parent}:{path}").decode()
                parts.extend(blocks((folder + "/" if folder else "") + "test_backtest_" + name[5:], None,
                                    new_tests(before, after)))
            elif status == "A":
                parts.extend(blocks(path, None, after))
            continue
        before = git(repo, "show", f"{parent}:{path}").decode() if status == "M" else None
        parts.extend(blocks(path, before, after))
    return "".join(parts)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repo", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file", required=True)
    args = parser.parse_args()
    by_title = {}
    for line in git(args.repo, "log", "--format=%H%x00%s").decode().splitlines():
        commit, title = line.split("\0", 1)
        by_title.setdefault(title.strip(), commit)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_):
            pass

        def send(self, status, body):
            raw = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def do_GET(self):
            if self.path == "/v1/models":
                self.send(200, {"object": "list", "data": [{"id": "oracle", "object": "model", "created": 0,
                                                             "owned_by": "bench"}]})
            else:
                self.send(404, {"error": {"message": "no route " + self.path, "type": "invalid_request_error"}})

        def do_POST(self):
            raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if self.path != "/v1/chat/completions":
                self.send(404, {"error": {"message": "no route " + self.path, "type": "invalid_request_error"}})
                return
            request = json.loads(raw)
            prompt = "\n".join(m.get("content") or "" for m in request.get("messages", []))
            found = re.search(r"<issue>\n# (.*)\n", prompt)
            commit = by_title.get(found.group(1).strip()) if found else None
            try:
                content = answer(args.repo, commit) if commit else "I do not know this case."
            except ValueError as e:
                content = f"I cannot write this fix: {e}"
            print(f"[oracle] {found.group(1) if found else '(no issue)'!r} -> {commit or 'unknown'} "
                  f"({len(content)} chars)", file=sys.stderr, flush=True)
            n = int(request.get("n", 1))
            prompt_tokens = (len(raw) + 3) // 4
            completion_tokens = (len(content) + 3) // 4
            self.send(200, {
                "id": f"chatcmpl-oracle-{time.time_ns()}", "object": "chat.completion", "created": int(time.time()),
                "model": request.get("model", "oracle"),
                "choices": [{"index": i, "message": {"role": "assistant", "content": content},
                             "logprobs": None, "finish_reason": "stop"} for i in range(n)],
                "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens * n,
                          "total_tokens": prompt_tokens + completion_tokens * n}})

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    with open(args.port_file, "w") as f:
        f.write(str(server.server_address[1]))
    server.serve_forever()


if __name__ == "__main__":
    main()
