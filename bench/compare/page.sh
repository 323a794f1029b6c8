#!/bin/bash
# page.sh LOG WHAT: Monit's "page" in the storm scenario (an exec action): one line per page.
echo "${EPOCHREALTIME/[.,]/} $2" >> "$1"
