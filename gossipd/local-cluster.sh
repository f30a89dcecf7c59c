#!/usr/bin/env bash
# A cluster of gossipd on this machine, for trying it out (README, "A cluster on one machine").
#
#   gossipd/local-cluster.sh start [N] [DIR]   N nodes (default 3) under DIR (default
#                                               /tmp/gossipd-cluster): a key, a config file per
#                                               node, the data directories and the logs
#   gossipd/local-cluster.sh stop [DIR]        SIGTERM to every node (each writes a snapshot)
#
# Node i gossips on 127.0.0.1:(7000+i) (UDP), answers gossipctl on 127.0.0.1:(7100+i) and
# serves Prometheus metrics on 127.0.0.1:(7200+i)/metrics. GOSSIPD_BIN names the folder with
# gossipd and gossipctl (default: build/release/gossipd of this checkout).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${GOSSIPD_BIN:-$here/build/release/gossipd}"
cmd="${1:-}"

case "$cmd" in
  start)
    n="${2:-3}"
    dir="${3:-/tmp/gossipd-cluster}"
    [[ "$n" =~ ^[1-9][0-9]?$ ]] || { echo "local-cluster.sh: N must be 1 to 99" >&2; exit 2; }
    [[ -x "$bin/gossipd" ]] || { echo "local-cluster.sh: no $bin/gossipd: build first (cmake --preset release && cmake --build --preset release)" >&2; exit 2; }
    mkdir -p "$dir"
    [[ -f "$dir/key" ]] || "$bin/gossipctl" keygen "$dir/key" > /dev/null
    for i in $(seq 1 "$n"); do
      if [[ -f "$dir/node$i.pid" ]] && kill -0 "$(cat "$dir/node$i.pid")" 2> /dev/null; then
        echo "node $i already runs (pid $(cat "$dir/node$i.pid"))"
        continue
      fi
      {
        echo "id = $i"
        echo "listen = \"127.0.0.1:$((7000 + i))\""
        echo "data = \"$dir/node$i\""
        echo "key-file = \"$dir/key\""
        echo "admin-port = $((7100 + i))"
        echo "metrics-port = $((7200 + i))"
        echo "interval-ms = 1000"
        peers=""
        for j in $(seq 1 "$n"); do
          [[ $j == "$i" ]] || peers+="${peers:+, }\"$j=127.0.0.1:$((7000 + j))\""
        done
        echo "peer = [$peers]"
      } > "$dir/node$i.conf"
      "$bin/gossipd" --config "$dir/node$i.conf" 2>> "$dir/node$i.log" &
      echo $! > "$dir/node$i.pid"
      echo "node $i: pid $!, gossip 127.0.0.1:$((7000 + i)), gossipctl --admin $((7100 + i)), metrics http://127.0.0.1:$((7200 + i))/metrics, log $dir/node$i.log"
    done
    ;;
  stop)
    dir="${2:-/tmp/gossipd-cluster}"
    for pidfile in "$dir"/node*.pid; do
      [[ -f "$pidfile" ]] || continue
      pid="$(cat "$pidfile")"
      if kill "$pid" 2> /dev/null; then
        for _ in $(seq 1 100); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
        if kill -0 "$pid" 2> /dev/null; then
          echo "$(basename "$pidfile" .pid) (pid $pid) still runs 10 s after SIGTERM: left as is" >&2
          continue
        fi
        echo "stopped $(basename "$pidfile" .pid) (pid $pid)"
      fi
      rm -f "$pidfile"
    done
    ;;
  *)
    echo "usage: $0 start [N] [DIR] | stop [DIR]" >&2
    exit 2
    ;;
esac
