"""A private PostgreSQL 15 server for the integration tests (Debian's postgresql-15, installed
by `scripts/setup.sh --tests`): initdb in a temporary folder, pg_ctl with its socket there and
no TCP port, never a system service. As root (CI) it runs as the `postgres` user, which
PostgreSQL requires. Every step's failure raises with its own output and the server's log."""
import os, shutil, subprocess, tempfile
from pathlib import Path

BIN = Path("/usr/lib/postgresql/15/bin")
USER = "guichet"


class PrivatePostgres:
    def __init__(self, durable=False):
        """`durable`: fsync as a production server would (benchmarks); the tests' server skips it."""
        self.durable = durable
        self.folder = Path(tempfile.mkdtemp(prefix="guichet-pg-"))
        self.data = self.folder / "data"
        self.log = self.folder / "server.log"
        if os.getuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        self._run(BIN / "initdb", "-D", self.data, "-U", USER, "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C.UTF-8")
        self.start()

    def _run(self, program, *args):
        argv = [str(program), *map(str, args)]
        if os.getuid() == 0:
            argv = ["/usr/sbin/runuser", "-u", "postgres", "--"] + argv
        done = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} failed ({done.returncode}):\n{done.stdout}\n--- server log ---\n{self.server_log()}")
        return done.stdout

    def server_log(self):
        return self.log.read_text(errors="replace") if self.log.exists() else "(no server log)"

    def start(self):
        # pg_ctl's output goes to the log file: a pipe would stay open in the server it starts.
        self._run(BIN / "pg_ctl", "-D", self.data, "-l", self.log, "-w", "-t", "60",
                  "-o", f"-k {self.folder} -c listen_addresses=''{'' if self.durable else ' -c fsync=off'} -c max_connections=200", "start")

    def stop(self, mode="fast"):
        self._run(BIN / "pg_ctl", "-D", self.data, "-m", mode, "-w", "stop")

    def create_database(self, name):
        self._run(BIN / "createdb", "-h", self.folder, "-U", USER, name)
        return f"postgres://{USER}@/{name}?host={self.folder}"

    def query(self, database, sql):
        """psql's unaligned, tuples-only output of `sql`."""
        return self._run("/usr/bin/psql", "-h", self.folder, "-U", USER, "-d", database, "-At", "-v", "ON_ERROR_STOP=1", "-c", sql).strip()

    def close(self):
        try:
            self.stop("immediate")
        except RuntimeError:
            pass
        shutil.rmtree(self.folder, ignore_errors=True)
