#!/usr/bin/env python3
# hygiene.py FILE...: the bats lines that look like assertions but assert
# nothing, and the waits that wait for a time instead of a condition.
# Prints "FILE:LINE: why" for each and exits 1 when there is any.
#
# 1. A "! cmd" that is not the last command of its test (or function) is
#    ignored: bash's set -e does not stop on a negated command. It must be
#    "run ! cmd", "! cmd || false", or the last line before the "}".
# 2. A "sleep" that is not inside a loop (a bounded poll for a condition)
#    is synchronisation by time. A sleep that is not synchronisation (the
#    command a test runs, a server's latency) says so with the comment
#    "not synchronisation" on its line or the line above; a sleep inside a
#    quoted string (sh -c '...; exec sleep 30') is a command being run.
# Heredoc bodies are data, not looked at.
import re
import sys

HEREDOC = re.compile(r"<<(-?)\s*(['\"]?)([A-Za-z_][A-Za-z0-9_]*)\2")
SLEEP = re.compile(r"(?<![\w.$-])sleep\b")
MARK = "not synchronisation"


def statements(lines):
	"""Yields (first line number, text, raw lines) of each logical line,
	continuations joined, heredoc bodies left out."""
	i = 0
	while i < len(lines):
		start = i
		text = lines[i]
		while text.endswith("\\") and i + 1 < len(lines):
			i += 1
			text = text[:-1] + " " + lines[i]
		# A line ending in || or && (or |) goes on on the next line.
		while re.search(r"(\|\||&&|\|)\s*$", text) and i + 1 < len(lines):
			i += 1
			text = text + " " + lines[i]
		raw = lines[start:i + 1]
		i += 1
		for m in HEREDOC.finditer(text):
			strip = m.group(1) == "-"
			while i < len(lines):
				body = lines[i].lstrip("\t") if strip else lines[i]
				i += 1
				if body == m.group(3):
					break
		yield start + 1, text, raw


def in_quotes(text, pos):
	"""Whether pos of text is inside a quoted string (roughly: quotes
	counted from the start of the logical line)."""
	q = False
	dq = False
	for ch in text[:pos]:
		if ch == "'" and not dq:
			q = not q
		elif ch == '"' and not q:
			dq = not dq
	return q or dq


def check(path):
	bad = []
	lines = open(path, encoding="utf-8").read().split("\n")
	stmts = list(statements(lines))
	depth = 0
	for k, (n, text, raw) in enumerate(stmts):
		code = text.strip()
		if code.startswith("#"):
			continue
		# Loops: "do" opens, "done" closes (words outside quotes).
		if code.startswith("@test ") or re.match(r"[\w-]+\(\)", code):
			depth = 0
		unquoted = re.sub(r"'[^']*'|\"[^\"]*\"", "", code)
		words = re.findall(r"(?<![\w-])(do|done)(?![\w-])", unquoted)
		opened = 0
		for w in words:
			opened += 1 if w == "do" else -1
		if code.startswith("! "):
			# Last of its block: only blank lines and comments up to "}".
			rest = [t.strip() for _, t, _ in stmts[k + 1:]]
			rest = [t for t in rest if t and not t.startswith("#")]
			last = bool(rest) and rest[0] == "}" and depth == 0 and opened == 0
			guarded = re.search(r"\|\|", code) is not None
			if not last and not guarded:
				bad.append((n, "'! cmd' is ignored here: use 'run ! cmd' or '|| false'"))
		for m in SLEEP.finditer(text):
			before = text[:m.start()]
			if "#" in re.sub(r"'[^']*'|\"[^\"]*\"", "", before):
				continue  # in a comment
			if in_quotes(text, m.start()):
				continue
			inloop = depth > 0 or re.search(r"(?<![\w-])do(?![\w-])", before)
			marked = MARK in text or (n >= 2 and MARK in lines[n - 2])
			if not inloop and not marked:
				bad.append((n, "'sleep' as synchronisation: wait for a condition (wait_for)"))
		depth = max(0, depth + opened)
	return bad


def main():
	status = 0
	for path in sys.argv[1:]:
		for n, why in check(path):
			print("%s:%d: %s" % (path, n, why))
			status = 1
	return status


if __name__ == "__main__":
	sys.exit(main())
