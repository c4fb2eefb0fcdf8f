"""Load on the production configuration: Locust's simulated people against gunicorn.

    .venv/bin/python bench/load.py [--minutes 5] [--users 50] [--organisations 5]

Starts the portal as production runs it (``tests/production/stack.py``: gunicorn with
``portal.settings.production``, the task worker, the scheduler, throw-away secrets, its own
database ``bench_load`` on the embedded PostgreSQL server, static files collected into
``var/bench/load/``), on 127.0.0.1 only. Seeds organisations, people, dossiers with
documents, shares and API clients through the portal's actions (``load_data.py``), lets
the worker index them, then runs Locust (``load_users.py``) for the given time: the dossier
list, dossier pages, search, downloads, uploads and API calls. Half-way through it runs
``manage.py rebuild_index``. Meanwhile it samples PostgreSQL's connections
(``pg_stat_activity``) and the memory (RSS) of every process of the stack. Afterwards the
isolation oracle checks the sampled answers with the portal's own policy. Prints the
figures and writes them to ``--out`` (default ``var/bench/load.json``). Exit code 1 when a
request failed or an answer named a dossier its asker may not see.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psutil
import psycopg

from portal.database import embedded_server
from tests.production.stack import VENV_BIN, ProductionStack, database_url

DATABASE = "bench_load"


def bench_database():
    """A fresh database ``bench_load`` on the embedded server: the server and the connection settings."""
    if os.environ.get("DATABASE_URL"):
        sys.exit("bench/load.py uses the embedded PostgreSQL server: unset DATABASE_URL.")
    data_dir = Path(os.environ.get("PORTAL_EMBEDDED_PGDATA", ROOT / "var" / "postgres"))
    server = embedded_server(data_dir)  # started (or joined) and held until this process exits
    server.psql(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE);')
    server.psql(f'CREATE DATABASE "{DATABASE}";')
    parts = urlsplit(server.get_uri(DATABASE))
    host = parse_qs(parts.query).get("host", [parts.hostname or ""])[0]
    settings = {
        "NAME": DATABASE,
        "USER": parts.username or "postgres",
        "HOST": host,
        "PORT": str(parts.port or ""),
    }
    return server, settings


class Sampler(threading.Thread):
    """Every few seconds: the database's connections and each process's memory."""

    def __init__(self, settings: dict, stack: ProductionStack, every: float = 2.0):
        super().__init__(daemon=True)
        self.settings, self.stack, self.every = settings, stack, every
        self.connections: list[int] = []
        self.memory: list[dict] = []
        self.done = threading.Event()

    def rss(self) -> dict[str, float]:
        found = {}
        for name, pid in self.stack.pids().items():
            try:
                found[name] = round(psutil.Process(pid).memory_info().rss / 2**20, 1)
            except psutil.NoSuchProcess:
                found[name] = None
        return found

    def run(self):
        with psycopg.connect(
            host=self.settings["HOST"],
            port=self.settings["PORT"] or None,
            user=self.settings["USER"],
            dbname=DATABASE,
            autocommit=True,
        ) as connection:
            while not self.done.is_set():
                count = connection.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                    [DATABASE],
                ).fetchone()[0]
                self.connections.append(count)
                self.memory.append({"t": round(time.monotonic(), 1), **self.rss()})
                self.done.wait(self.every)


def rebuild_in_the_middle(stack: ProductionStack, after: float, result: dict) -> threading.Thread:
    def run():
        time.sleep(after)
        started = time.monotonic()
        try:
            output = stack.manage("rebuild_index", timeout=600)
            result.update(ok=True, output=output.strip().splitlines()[-1:] or [""])
        except Exception as exc:
            result.update(ok=False, error=str(exc)[-2000:])
        result.update(started_after_s=round(after), seconds=round(time.monotonic() - started, 1))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def locust_figures(prefix: Path) -> dict:
    kinds, total = {}, {}
    with open(f"{prefix}_stats.csv", newline="") as stats:
        for row in csv.DictReader(stats):
            figures = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "requests_per_s": round(float(row["Requests/s"]), 2),
                "p50_ms": float(row["50%"]),
                "p95_ms": float(row["95%"]),
                "p99_ms": float(row["99%"]),
                "max_ms": round(float(row["Max Response Time"])),
            }
            if row["Name"] == "Aggregated":
                total = figures
            else:
                kinds[f"{row['Type']} {row['Name']}"] = figures
    failures = []
    with open(f"{prefix}_failures.csv", newline="") as rows:
        failures = [dict(row) for row in csv.DictReader(rows)]
    return {"total": total, "kinds": kinds, "failures": failures}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=5)
    parser.add_argument("--organisations", type=int, default=5)
    parser.add_argument("--dossiers", type=int, default=20, help="per organisation")
    parser.add_argument("--gunicorn-workers", type=int, default=4)
    parser.add_argument(
        "--uncompressed-static", action="store_true", help="skip the gzip and brotli copies (trial runs)"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "bench" / "load.json")
    args = parser.parse_args()
    people = -(-args.users // args.organisations)  # every simulated user is a person of its own
    workdir = ROOT / "var" / "bench" / "load"
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    plan, samples, prefix = workdir / "plan.json", workdir / "samples.jsonl", workdir / "locust"
    duration = round(args.minutes * 60)

    began = time.monotonic()
    server, settings = bench_database()
    stack = ProductionStack(
        database_url=database_url(settings),
        workdir=workdir,
        workers=args.gunicorn_workers,
        extra_env={"PORTAL_STATIC_COMPRESS": "false"} if args.uncompressed_static else None,
    )
    print(f"Preparing the production stack on database {DATABASE} (migrate, cache table, static files)...")
    stack.prepare(migrate=True)
    print(f"Seeding {args.organisations} organisations x {people} people x {args.dossiers} dossiers...")
    done = subprocess.run(
        [str(VENV_BIN / "python"), "bench/load_data.py", "seed", f"--plan={plan}",
         f"--organisations={args.organisations}", f"--people={people}", f"--dossiers={args.dossiers}"],
        cwd=ROOT, env=stack.env, check=False, capture_output=True, text=True,
    )  # fmt: skip
    if done.returncode:
        sys.exit(f"seeding failed:\n{done.stdout}\n{done.stderr}")
    stack.timings["seed"] = round(time.monotonic() - began - sum(stack.timings.values()), 1)
    print("Extracting and indexing the seeded documents (task worker, one batch)...")
    indexing = time.monotonic()
    stack.manage("db_worker", "--queue-name", "*", "--batch", "--no-startup-delay", "-v", "0")
    stack.timings["index_seeded"] = round(time.monotonic() - indexing, 1)
    prepared_s = round(time.monotonic() - began)

    result: dict = {
        "configuration": {
            "users": args.users,
            "organisations": args.organisations,
            "people_per_organisation": people,
            "dossiers": args.organisations * args.dossiers,
            "seconds": duration,
            "gunicorn_workers": args.gunicorn_workers,
            "cpus": os.cpu_count(),
            "load_average_before": [round(x, 2) for x in os.getloadavg()],
            "prepared_in_s": prepared_s,
            "prepare_steps_s": stack.timings,
        }
    }
    rebuild: dict = {}
    stack.start()
    sampler = Sampler(settings, stack)
    try:
        memory_start = sampler.rss()
        sampler.start()
        rebuilder = rebuild_in_the_middle(stack, duration / 2, rebuild)
        print(
            f"Load: {args.users} people for {duration} s against {stack.url} (gunicorn x{args.gunicorn_workers})..."
        )
        locust = subprocess.run(
            [str(VENV_BIN / "locust"), "-f", "bench/load_users.py", "--headless", "--only-summary",
             f"--users={args.users}", f"--spawn-rate={args.spawn_rate}", f"--run-time={duration}s",
             f"--host={stack.url}", f"--csv={prefix}", "--stop-timeout=10", "--loglevel=WARNING"],
            cwd=ROOT, env={**os.environ, "LOAD_PLAN": str(plan), "LOAD_SAMPLES": str(samples)}, check=False,
        )  # fmt: skip
        rebuilder.join(timeout=600)
        memory_end = sampler.rss()
        stack.check_running()
    finally:
        sampler.done.set()
        sampler.join(timeout=10)
        codes = stack.stop()
    oracle = json.loads(
        stack_manage_python(stack, "bench/load_data.py", "oracle", f"--plan={plan}", f"--samples={samples}")
    )
    figures = locust_figures(prefix)
    result.update(
        {
            "requests_per_s": figures["total"].get("requests_per_s"),
            "requests": figures["total"].get("requests"),
            "errors": figures["total"].get("failures"),
            "total": figures["total"],
            "kinds": figures["kinds"],
            "failures": figures["failures"],
            "rebuild_index": rebuild,
            "postgres_connections": {
                "samples": len(sampler.connections),
                "min": min(sampler.connections, default=None),
                "max": max(sampler.connections, default=None),
                "mean": round(sum(sampler.connections) / max(1, len(sampler.connections)), 1),
            },
            "rss_mb": {"start": memory_start, "end": memory_end},
            "rss_mb_series": sampler.memory[:: max(1, len(sampler.memory) // 30)],
            "isolation": oracle,
            "exit_codes": {"locust": locust.returncode, **codes},
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
        }
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    report(result)
    print(f"\nWritten to {args.out}")
    server.psql(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE);')
    shutil.rmtree(workdir / "documents", ignore_errors=True)
    return 0 if result["errors"] == 0 and oracle["violations"] == 0 else 1


def stack_manage_python(stack: ProductionStack, *argv: str) -> str:
    done = subprocess.run(
        [str(VENV_BIN / "python"), *argv],
        cwd=ROOT,
        env=stack.env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        sys.exit(f"{' '.join(argv)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def report(result: dict) -> None:
    c = result["configuration"]
    print(
        f"\n{c['users']} people of {c['organisations']} organisations, {c['dossiers']} dossiers, "
        f"{c['seconds']} s, gunicorn x{c['gunicorn_workers']} on {c['cpus']} CPUs "
        f"(load average before {c['load_average_before']}, after {result['load_average_after']})"
    )
    print(
        f"requests: {result['requests']}  requests/s: {result['requests_per_s']}  errors: {result['errors']}"
    )
    print(f"{'kind':<34} {'n':>6} {'err':>4} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for kind, f in sorted(result["kinds"].items()):
        print(
            f"{kind:<34} {f['requests']:>6} {f['failures']:>4} {f['p50_ms']:>8.0f} {f['p95_ms']:>8.0f} {f['p99_ms']:>8.0f}"
        )
    r = result["rebuild_index"]
    print(f"rebuild_index after {r.get('started_after_s')} s: ok={r.get('ok')} in {r.get('seconds')} s")
    pg = result["postgres_connections"]
    print(
        f"PostgreSQL connections (pg_stat_activity, {pg['samples']} samples): min {pg['min']}, mean {pg['mean']}, max {pg['max']}"
    )
    print("RSS MB at start -> end: " + ", ".join(
        f"{name} {result['rss_mb']['start'].get(name)} -> {mb}" for name, mb in result["rss_mb"]["end"].items()
    ))  # fmt: skip
    iso = result["isolation"]
    print(
        f"isolation oracle: {iso['answers_checked']} answers, {iso['references_checked']} references "
        f"checked, {iso['violations']} naming a dossier the asker may not see"
    )


if __name__ == "__main__":
    sys.exit(main())
