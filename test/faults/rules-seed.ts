// A valid rules file that touches most of the rule language: the seed the malformed-rules fault
// test mutates a thousand ways. It must stay valid (the test checks that first).
export const SEED_RULES = `# Every mutation starts from this file.
settings:
  interval: 5s
  host: render-01

workers:
  render:
    start: [node, /opt/render/worker.js, --threads, "8"]
    cwd: /opt/render
    env: { RENDER_THREADS: "8", MODE: fast }
    stop_timeout: 10s
    heartbeat: { file: /run/render/heartbeat, stale_after: 30s }
    restart_policy:
      verify: 10s
      budget: 5 per 10m
      backoff: { initial: 1s, max: 5m, reset_after: 10m }
      attempts: 3
  ingest:
    systemd: ingest.service
  legacy:
    restart: [/usr/local/bin/legacy-restart, --fast]
    pid_file: /run/legacy.pid
    restart_timeout: 60s

queues:
  jobs: { redis: { url: "redis://127.0.0.1:6379/0", list: jobs }, timeout: 2s }

rules:
  - name: render-leak
    when: worker.render.rss > 1.5GiB
    for: 3 samples
    do: [restart_worker: render]
    verify: 30s
    budget: 3 per 1h
    runbook: https://wiki.example.com/render-leak

  - name: memory-pressure
    when: memory.used_pct > 90% and (worker.render.up == 1 or not cpu.load1 < 4)
    severity: warning
    do:
      - exec: [/usr/local/bin/drop-caches]
      - exec: { argv: [/usr/local/bin/flush-queue, --soft], timeout: 30s, worker: render }
      - { restart_worker: render, attempts: 2 }
    backoff: { initial: 30s, max: 10m, reset_after: 30m }

  - name: render-hung
    when: worker.render.heartbeat_age > 1m and worker.render.up == 1
    for: 30s
    do: [restart_worker: render]

  - name: cache-full
    when: disk[/var/cache/render].used_pct > 85%
    for: 1m
    do:
      - clear_cache: { dir: /var/cache/render, older_than: 7d, keep_under: 10GiB }
      - archive_files: { dir: /var/log/render, dest: /mnt/archive, match: "*.log", older_than: 3d }

  - name: backlog
    when: queue.jobs.depth > 1000
    for: 2 samples
    do: [{ exec: [/usr/local/bin/scale-out, render] }]
`;
