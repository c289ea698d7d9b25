#!/usr/bin/env bash
# The hot-reload demo, hands-free: builds vaisc, starts the simple game loop as a hot host,
# edits its #[hot] game_update while it runs (x then moves by 100 per frame instead of 1),
# rebuilds only the patch, and shows the running process switch to the new code with its frame
# counter and position intact.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p vaisc
vaisc="$PWD/target/release/vaisc"
work=$(mktemp -d)
trap 'kill "$game" 2>/dev/null || true; rm -rf "$work"' EXIT
cp examples/hot_reload_simple.vais "$work/game.vais"
cd "$work"
"$vaisc" build --hot game.vais -o game
VAIS_FRAMES=150 ./game &
game=$!
sleep 1
echo "--- editing game_update: x += 1  ->  x += 100, and rebuilding the patch"
sed -i 's/state.x = state.x + 1$/state.x = state.x + 100/' game.vais
"$vaisc" build --hot --patch-only game.vais -o game
wait "$game"
