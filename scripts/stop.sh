#!/usr/bin/env bash
# Stop the private PostgreSQL cluster cleanly.
source "$(dirname "$0")/lib.sh"
pg_stop
