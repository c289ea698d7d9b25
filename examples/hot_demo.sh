#!/usr/bin/env bash
# The hot-reload demo, hands-free: builds vaisc and runs `vaisc watch --run` on the simple game
# loop, then edits its #[hot] game_update while it runs (x then moves by 100 per frame instead
# of 1) and saves. Watch rebuilds only the patch, the running loop switches to the new code
# with its frame counter and position intact, and watch reports the reload in one line.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p vaisc
vaisc="$PWD/target/release/vaisc"
work=$(mktemp -d)
cp examples/hot_reload_simple.vais "$work/game.vais"
cd "$work"
VAIS_FRAMES=300 "$vaisc" watch game.vais --run &
watcher=$!
trap 'kill -INT "$watcher" 2>/dev/null || true; wait "$watcher" 2>/dev/null || true; rm -rf "$work"' EXIT
sleep 1.5
echo "--- saving an edit to game_update: x += 1  ->  x += 100"
sed -i 's/state.x = state.x + 1$/state.x = state.x + 100/' game.vais
sleep 2
