#!/bin/bash
# cleanup-cache.sh DIR LOG: the cache cleanup both tools can run as an `exec` action. Deletes every
# regular file under DIR, then appends "START_US END_US BYTES" to LOG (epoch microseconds).
set -u
start=${EPOCHREALTIME/[.,]/}
bytes=$(find "$1" -mindepth 1 -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
find "$1" -mindepth 1 -type f -delete
echo "$start ${EPOCHREALTIME/[.,]/} $bytes" >> "$2"
