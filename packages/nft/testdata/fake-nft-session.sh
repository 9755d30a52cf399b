#!/bin/sh
# Stands in for `nft <flags> -i` in the session's unit test: one JSON line per command,
# stderr for an error ("split": written in two pieces, as nft may), silence for "hang", exit for "quit".
while IFS= read -r line; do
  case "$line" in
    bad*) printf 'Error: No such file or directory\n%s\n ^\n' "$line" >&2 ;;
    split*) printf 'Error: ' >&2; sleep 0.2; printf 'No such file or directory\n%s\n ^\n' "$line" >&2 ;;
    hang*) sleep 30 ;;
    quit*) exit 3 ;;
    *) printf '{"cmd":"%s","flags":"%s","pid":%s}\n' "$line" "$*" "$$" ;;
  esac
done
