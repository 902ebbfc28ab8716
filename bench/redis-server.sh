# Sourced by bench/redis.sh and bench/crossnode.sh, not run: starts the
# benchmark's own redis-server (no persistence) on a free port of 127.0.0.1.
#
#   start_redis CORE   # sets redis_pid, redis_port, redis_url; returns once it answers PING

start_redis() {
  redis_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
  taskset -c "$1" redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no >/dev/null &
  redis_pid=$!
  for _ in $(seq 100); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.05; done
  redis_url="redis://127.0.0.1:$redis_port"
}
