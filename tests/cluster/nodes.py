"""Several Soglasie nodes on loopback, as docs/deploy.md describes them, for one test or bench.

In a temporary folder it starts a PostgreSQL primary (initdb) with a streaming replica
(`pg_basebackup -R`), Redis (cache and queue broker), gunicorn app servers, nginx balancing them
and a Celery worker, each as its own process group on a free high port. Everything it starts is
stopped by `Cluster.stop()`, which also runs at interpreter exit, and every wait has a deadline,
so a failing test leaves no process and no port behind.

The cluster runs with production settings (DEBUG off, a secret key, static files collected and
served by WhiteNoise, TRUSTED_PROXIES=1 behind nginx). PostgreSQL refuses to run as root, so its
processes run as the `postgres` user (setpriv) on a data folder that user owns.

    cluster = Cluster()          # nothing runs yet
    cluster.start()              # databases, Redis, migrations, a founded community, nodes
    cluster.url                  # nginx, e.g. http://127.0.0.1:41234
    cluster.stop()
"""

import atexit
import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parent.parent.parent
VENV_BIN = Path(sys.executable).parent
DATABASE = "soglasie"

IDEA = """# Our street's idea

We are the neighbours of one street. We share tools and keep the street quiet.

Join us by accepting our agreements.
"""


def postgres_bin():
    """The newest installed PostgreSQL's binaries (Debian's layout), or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version)
    return Path(found[-1]).parent if found else None


def _version(path):
    return int(Path(path).parent.parent.name) if Path(path).parent.parent.name.isdigit() else 0


def missing_prerequisites():
    """Why the cluster cannot run here (an empty list when it can)."""
    missing = []
    if os.geteuid() != 0:
        missing.append("not root (PostgreSQL's processes run as the postgres user)")
    if postgres_bin() is None:
        missing.append("no PostgreSQL server binaries in /usr/lib/postgresql/*/bin")
    for command in ("nginx", "redis-server", "setpriv"):
        if shutil.which(command) is None:
            missing.append(f"no {command}")
    for command in ("gunicorn", "celery"):
        if not (VENV_BIN / command).exists():
            missing.append(f"no {command} in {VENV_BIN}")
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        missing.append("no postgres user")
    return missing


def _exit_on_sigterm(signum, frame):
    sys.exit(128 + signum)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(check, *, seconds, what):
    """Call `check` until it returns something true, for at most `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not ready after {seconds} s")
        time.sleep(0.1)


def process_table():
    """Every process now: pid → (parent pid, process group, CPU seconds used)."""
    tick = os.sysconf("SC_CLK_TCK")
    table = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # After "pid (command)": state, ppid, pgrp, … utime (index 11), stime (12).
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        cpu = (int(fields[11]) + int(fields[12])) / tick
        table[int(stat.parent.name)] = (int(fields[1]), int(fields[2]), cpu)
    return table


class Process:
    """One started program in its own process group, with its output in a log file."""

    def __init__(self, name, args, *, log, env=None, cwd=None):
        self.name = name
        self.log = Path(log)
        with self.log.open("ab") as out:
            self.popen = subprocess.Popen(  # noqa: S603 - fixed programs with our own arguments
                args,
                env=env,
                cwd=cwd,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                # A process group of its own, to stop it with all its children; not a session
                # of its own, which Linux's autogroup scheduling would give a CPU share of its
                # own on a shared machine (two app servers would get twice the CPU of one).
                process_group=0,
            )

    @property
    def running(self):
        return self.popen.poll() is None

    def members(self, table=None):
        """Its processes: its group, and descendants that left it (PostgreSQL's backends start
        sessions of their own)."""
        table = table or process_table()
        leader = self.popen.pid
        found = {pid for pid, (_, group, _) in table.items() if group == leader}
        if leader in table:
            found.add(leader)
        grew = True
        while grew:
            more = {pid for pid, (parent, _, _) in table.items() if parent in found} - found
            found |= more
            grew = bool(more)
        return found

    def signal(self, signum):
        members = self.members()  # before the leader dies and its children are re-parented
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signum)
        if signum == signal.SIGKILL:
            for pid in members - {self.popen.pid}:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)

    def kill(self):
        """SIGKILL the whole group at once, as a crashed machine would stop."""
        self.signal(signal.SIGKILL)
        self._reap(10)

    def stop(self, grace=10):
        """SIGTERM, then SIGKILL after `grace` seconds; the group's leftovers are killed too."""
        if self.running:
            self.signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(grace)
        self.signal(signal.SIGKILL)  # children that outlived their parent
        self._reap(10)

    def _reap(self, seconds):
        try:
            self.popen.wait(seconds)
        except subprocess.TimeoutExpired:
            raise RuntimeError(f"{self.name} (pid {self.popen.pid}) does not stop") from None

    def tail(self, lines=40):
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


class Cluster:
    """The nodes of one site on loopback; see the module's docstring."""

    def __init__(
        self,
        *,
        app_servers=2,
        workers_per_server=2,
        replica=True,
        queue=True,
        env=None,
        app_env=None,
        app_workers=None,
        balancers=None,
    ):
        """`app_env`: per app server, variables of its own (e.g. no replica for one);
        `app_workers`: per app server, its number of gunicorn workers (else
        `workers_per_server`);
        `balancers`: name → indices of the app servers one nginx port balances (`self.urls`);
        by default one, "site", over all of them, at `self.url`."""
        self.folder = Path(tempfile.mkdtemp(prefix="soglasie-cluster-"))
        # The postgres user must reach its data folders inside.
        self.folder.chmod(0o755)
        self.bin = postgres_bin()
        self.app_count = app_servers
        self.workers_per_server = workers_per_server
        self.with_replica = replica
        self.with_queue = queue
        self.extra_env = env or {}
        self.app_env = app_env or [{} for _ in range(app_servers)]
        self.app_workers = app_workers or [workers_per_server] * app_servers
        balancers = balancers or {"site": list(range(app_servers))}
        self.ports = {
            "primary": free_port(),
            "replica": free_port(),
            "redis": free_port(),
            "apps": [free_port() for _ in range(app_servers)],
        }
        self.balancers = {name: (free_port(), apps) for name, apps in balancers.items()}
        self.urls = {name: f"http://127.0.0.1:{port}" for name, (port, _) in self.balancers.items()}
        self.url = next(iter(self.urls.values()))
        self.processes = {}
        self.apps = [None] * app_servers
        self._stopped = False
        self.timings = {}  # seconds each start-up step took
        atexit.register(self.stop)
        # atexit does not run when the process is terminated: turn SIGTERM (a CI timeout, a
        # Ctrl+C'd make) into an ordinary exit, so the nodes are stopped then too.
        if signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
            signal.signal(signal.SIGTERM, _exit_on_sigterm)

    # --- addresses -------------------------------------------------------------------------

    def database_url(self, node="primary", name=DATABASE):
        return f"postgres://postgres@127.0.0.1:{self.ports[node]}/{name}"

    @property
    def redis_url(self):
        return f"redis://127.0.0.1:{self.ports['redis']}"

    @property
    def env(self):
        """The environment of every Soglasie process: production settings, as in deploy.md."""
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("DATABASE", "REDIS", "CELERY", "DJANGO"))
        }
        env.update(
            {
                "DEBUG": "0",
                "SECRET_KEY": "cluster-test-" + "k" * 50,
                "ALLOWED_HOSTS": "127.0.0.1,localhost",
                "HTTPS": "0",
                "SITE_URL": self.url,
                "DATABASE_URL": self.database_url("primary"),
                "REDIS_URL": f"{self.redis_url}/0",
                "TRUSTED_PROXIES": "1",
                "LOG_LEVEL": "INFO",
                # Every member of the test signs up from 127.0.0.1.
                "RATE_LIMIT_SIGNUPS_PER_HOUR": "1000",
                "DATABASE_CONNECT_TIMEOUT": "2",
            }
        )
        if self.with_replica:
            env["DATABASE_REPLICA_URLS"] = self.database_url("replica")
        if self.with_queue:
            env["CELERY_BROKER_URL"] = f"{self.redis_url}/1"
        env.update(self.extra_env)
        return env

    # --- the whole -------------------------------------------------------------------------

    def start(self, *, people_to_form=3, demo=False):
        """Start every node; the community is founded empty, or with `demo` the demo's year of
        history (`manage.py seed_demo`) for benchmarks."""
        idea = self.folder / "idea.md"
        idea.write_text(IDEA, encoding="utf-8")
        found = ("seed_demo",) if demo else (
            "found", str(idea), "--name", "Street Commons",
            "--people-to-form", str(people_to_form), "--standard", "all",
        )  # fmt: skip
        steps = [
            ("primary", self.start_primary),
            ("replica", self.start_replica if self.with_replica else None),
            ("redis", self.start_redis),
            ("migrate", lambda: self.manage("migrate", "--no-input", "-v0")),
            ("collectstatic", lambda: self.manage("collectstatic", "--no-input", "-v0")),
            ("found", lambda: self.manage(*found)),
            *((f"app{i + 1}", lambda i=i: self.start_app(i)) for i in range(self.app_count)),
            ("nginx", self.start_nginx),
            ("worker", self.start_worker if self.with_queue else None),
        ]  # fmt: skip
        try:
            for name, step in steps:
                if step is not None:
                    began = time.monotonic()
                    step()
                    self.timings[name] = round(time.monotonic() - began, 1)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self):
        """Stop everything this cluster started (safe to call twice) and remove its folder."""
        if self._stopped:
            return
        self._stopped = True
        for name in reversed(list(self.processes)):
            try:
                self.processes[name].stop()
            except RuntimeError as error:
                print(error, file=sys.stderr)
        if os.environ.get("KEEP_CLUSTER_FOLDER"):
            print(f"cluster folder kept: {self.folder}", file=sys.stderr)
        else:
            shutil.rmtree(self.folder, ignore_errors=True)
        atexit.unregister(self.stop)

    def logs(self):
        """The end of every process's log, for a failure's message."""
        return "\n".join(f"--- {name}\n{p.tail()}" for name, p in self.processes.items())

    def _spawn(self, name, args, **kwargs):
        old = self.processes.get(name)
        if old is not None and old.running:
            raise RuntimeError(f"{name} is already running")
        process = Process(name, args, log=self.folder / f"{name}.log", **kwargs)
        self.processes[name] = process
        return process

    # --- PostgreSQL ------------------------------------------------------------------------

    def _as_postgres(self, *args):
        return ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", *args]

    def _run_as_postgres(self, *args, seconds=120):
        result = subprocess.run(  # noqa: S603
            self._as_postgres(*args), capture_output=True, text=True, timeout=seconds
        )
        if result.returncode != 0:
            raise RuntimeError(f"{args[0]} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def _data(self, node):
        return self.folder / "pg" / node

    def start_primary(self):
        pg = self.folder / "pg"
        pg.mkdir(exist_ok=True)
        shutil.chown(pg, "postgres", "postgres")
        data = self._data("primary")
        self._run_as_postgres(
            str(self.bin / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
            "--encoding", "UTF8", "--locale", "C.UTF-8", "--no-sync",
        )  # fmt: skip
        with (data / "postgresql.conf").open("a") as conf:
            conf.write(
                # Streaming replication to the replica (trust for 127.0.0.1 comes from -A trust,
                # replication connections included).
                "wal_level = replica\nmax_wal_senders = 5\nhot_standby = on\n"
                # Reads served by a node are counted per statement (the test's evidence).
                "shared_preload_libraries = 'pg_stat_statements'\n"
                # A throw-away cluster: no waiting on the disk.
                "fsync = off\nfull_page_writes = off\nsynchronous_commit = off\n"
                "shared_buffers = 32MB\nmax_connections = 60\n"
            )
        self.start_postgres("primary")
        self.sql("primary", f"CREATE DATABASE {DATABASE}", database="postgres")
        self.sql("primary", "CREATE EXTENSION pg_stat_statements")

    def start_replica(self):
        data = self._data("replica")
        if not data.exists():
            self._run_as_postgres(
                str(self.bin / "pg_basebackup"), "-h", "127.0.0.1", "-p",
                str(self.ports["primary"]), "-U", "postgres", "-D", str(data),
                "-R", "-X", "stream", "--checkpoint=fast", "--no-sync",
            )  # fmt: skip
        self.start_postgres("replica")

    def start_postgres(self, node):
        sockets = self.folder / "pg"
        self._spawn(
            f"postgres-{node}",
            self._as_postgres(
                str(self.bin / "postgres"), "-D", str(self._data(node)),
                "-c", f"port={self.ports[node]}", "-c", "listen_addresses=127.0.0.1",
                "-c", f"unix_socket_directories={sockets}",
            ),
        )  # fmt: skip
        wait_until(lambda: self._accepts(node), seconds=60, what=f"PostgreSQL {node}")

    def _accepts(self, node):
        process = self.processes[f"postgres-{node}"]
        if not process.running:
            raise RuntimeError(f"PostgreSQL {node} exited:\n{process.tail()}")
        try:
            self.sql(node, "SELECT 1", database="postgres")
        except psycopg2.OperationalError:
            return False
        return True

    def stop_postgres(self, node, *, kill=False):
        process = self.processes[f"postgres-{node}"]
        process.kill() if kill else process.stop(grace=20)

    def pg_dump(self, path, database=DATABASE):
        """A backup as docs/deploy.md takes it: pg_dump's custom format, from the primary."""
        subprocess.run(  # noqa: S603
            [str(self.bin / "pg_dump"), "--format=custom", f"--file={path}",
             self.database_url("primary", database)],
            check=True, timeout=120, capture_output=True,
        )  # fmt: skip

    def pg_restore(self, path, database):
        """Restore a backup into the existing, empty `database` on the primary."""
        subprocess.run(  # noqa: S603
            [str(self.bin / "pg_restore"), "--no-owner", "--exit-on-error",
             f"--dbname={self.database_url('primary', database)}", str(path)],
            check=True, timeout=120, capture_output=True,
        )  # fmt: skip

    def connect(self, node="primary", database=DATABASE):
        connection = psycopg2.connect(
            host="127.0.0.1",
            port=self.ports[node],
            user="postgres",
            dbname=database,
            connect_timeout=3,
        )
        connection.autocommit = True
        return connection

    def sql(self, node, query, params=None, *, database=DATABASE):
        """Run one statement on `node` (primary or replica); the rows, if it returns any."""
        connection = self.connect(node, database)
        try:
            with connection.cursor() as cursor:
                cursor.execute(query, params)
                return cursor.fetchall() if cursor.description else None
        finally:
            connection.close()

    def wait_for_replica(self, seconds=30):
        """Until the replica has replayed everything the primary has written so far."""
        (lsn,) = self.sql("primary", "SELECT pg_current_wal_lsn()")[0]
        wait_until(
            lambda: self.sql("replica", "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn])[0][
                0
            ],
            seconds=seconds,
            what="replica catching up",
        )

    # --- Redis -----------------------------------------------------------------------------

    def start_redis(self):
        port = self.ports["redis"]
        self._spawn(
            "redis",
            ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.folder)],
        )  # fmt: skip

        def answers():
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                    sock.sendall(b"PING\r\n")
                    return sock.recv(16).startswith(b"+PONG")
            except OSError:
                return False

        wait_until(answers, seconds=20, what="Redis")

    # --- Django ----------------------------------------------------------------------------

    def manage(self, *args, seconds=300):
        result = subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=seconds,
        )
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {args[0]} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def start_app(self, index):
        port = self.ports["apps"][index]
        self.apps[index] = self._spawn(
            f"app{index + 1}",
            [str(VENV_BIN / "gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{port}",
             "--workers", str(self.app_workers[index]), "--timeout", "30",
             "--graceful-timeout", "5", *self._gunicorn_options()],
            env={**self.env, **self.app_env[index]}, cwd=ROOT,
        )  # fmt: skip
        wait_until(
            lambda: self._answers(f"http://127.0.0.1:{port}/", f"app{index + 1}"),
            seconds=60,
            what=f"app server {index + 1}",
        )

    def _gunicorn_options(self):
        # gunicorn 27 opens a control socket at one fixed path per user: two servers would share it.
        help_text = subprocess.run(  # noqa: S603
            [str(VENV_BIN / "gunicorn"), "--help"], capture_output=True, text=True, timeout=30
        ).stdout
        return ["--no-control-socket"] if "--no-control-socket" in help_text else []

    def _answers(self, url, name):
        process = self.processes[name]
        if not process.running:
            raise RuntimeError(f"{name} exited:\n{process.tail()}")
        try:
            with urllib.request.urlopen(url, timeout=5):  # noqa: S310 - loopback
                return True
        except urllib.error.HTTPError:
            return True  # it answers
        except OSError:
            return False

    def kill_app(self, index):
        self.apps[index].kill()

    def start_worker(self):
        self._spawn(
            "worker",
            [str(VENV_BIN / "celery"), "-A", "config", "worker", "--loglevel", "INFO",
             "--concurrency", "1", "--without-gossip", "--without-mingle", "--without-heartbeat"],
            env=self.env, cwd=ROOT,
        )  # fmt: skip
        wait_until(
            lambda: (
                "ready." in self.processes["worker"].log.read_text(errors="replace")
                or self._worker_died()
            ),
            seconds=60,
            what="Celery worker",
        )

    def _worker_died(self):
        worker = self.processes["worker"]
        if not worker.running:
            raise RuntimeError(f"worker exited:\n{worker.tail()}")
        return False

    def kill_worker(self):
        self.processes["worker"].kill()
        # A restarted worker appends to the same log: forget the old "ready."
        self.processes["worker"].log.rename(self.folder / f"worker-{time.monotonic_ns()}.log")

    # --- nginx -----------------------------------------------------------------------------

    def nginx_config(self):
        folder = self.folder / "nginx"
        blocks = []
        for name, (port, apps) in self.balancers.items():
            servers = "\n".join(
                f"        server 127.0.0.1:{self.ports['apps'][i]} max_fails=1 fail_timeout=5s;"
                for i in apps
            )
            blocks.append(f"""    upstream {name} {{
{servers}
        keepalive 16;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://{name};
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            # A server that refuses or fails the connection gets no request: the next one does.
            # POSTs are passed on only when the first server never received them (nginx's
            # default without non_idempotent), so no write is made twice.
            proxy_next_upstream error timeout http_502;
            proxy_next_upstream_tries 2;
            proxy_connect_timeout 2s;
            proxy_read_timeout 30s;
            # Which app server answered, for the test.
            add_header X-Upstream $upstream_addr always;
        }}
    }}""")
        return f"""daemon off;
master_process on;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    client_max_body_size 6m;
{chr(10).join(blocks)}
}}
"""

    def start_nginx(self):
        folder = self.folder / "nginx"
        folder.mkdir(exist_ok=True)
        config = folder / "nginx.conf"
        config.write_text(self.nginx_config())
        args = ["nginx", "-p", str(folder), "-c", str(config), "-e", str(folder / "error.log")]
        # nginx's workers run as nobody: they must reach the temp folders.
        folder.chmod(0o755)
        check = subprocess.run([*args, "-t"], capture_output=True, text=True, timeout=30)  # noqa: S603
        if check.returncode != 0:
            raise RuntimeError(f"nginx -t:\n{check.stderr}")
        self._spawn("nginx", args)
        for url in self.urls.values():
            wait_until(lambda url=url: self._answers(url + "/", "nginx"), seconds=30, what="nginx")
