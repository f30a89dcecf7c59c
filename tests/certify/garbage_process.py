"""A process that breaks the process protocol of docs/CERTIFY.md, for the certify tests.

garbage: answers hello properly, then writes a line that is not JSON.
exit:    answers hello, then exits in the middle of the run (a crash).
silent:  answers hello, then never answers again (a hang).
"""
import sys

mode = sys.argv[1]
for n, line in enumerate(sys.stdin):
    if n == 0:
        sys.stdout.write('{"ok":true,"protocol":1,"name":"broken %s","version":"0","capabilities":[]}\n' % mode)
        sys.stdout.flush()
        continue
    if mode == "garbage":
        sys.stdout.write("this is not JSON \x01\x02\n")
        sys.stdout.flush()
    elif mode == "exit":
        sys.exit(3)
    else:
        sys.stdin.read()  # never answers; waits for the end of its input
