#!/usr/bin/env bash
# Starts Redis and RabbitMQ when they are down (the commands this machine's image uses), then
# waits until they answer. Tests that need them fail loudly in CI when they are missing.
set -uo pipefail

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() {
  local name=$1 port=$2
  for _ in $(seq 1 60); do
    port_open "$port" && { echo "services: $name up on :$port"; return 0; }
    sleep 1
  done
  echo "services: $name did not come up on :$port" >&2
  return 1
}

if ! port_open 6379; then
  echo "services: starting redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
fi
if ! port_open 5672; then
  echo "services: starting rabbitmq"
  rabbitmq-server -detached || true
fi
wait_port redis 6379
wait_port rabbitmq 5672
