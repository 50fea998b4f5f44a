"""Real components that falter on demand: a redis-server of the test's own (stopped, or frozen
with SIGSTOP) and a TCP relay to PostgreSQL whose connections the test cuts; and the moment
right after a commit, to make them falter then."""

import contextlib
import shutil
import signal
import socket
import subprocess
import threading
import time

import pytest
from flask_sqlalchemy.session import Session
from sqlalchemy import event, make_url

from tests.smtp import free_port


class RedisServer:
    """`redis-server` on a free local port, nothing saved to disk; stop() and start() keep the
    port, freeze() and thaw() pause and resume the process (SIGSTOP, SIGCONT)."""

    def __init__(self, tmp_path):
        if shutil.which("redis-server") is None:
            pytest.skip("redis-server is not installed")
        self.port = free_port()
        self.directory = tmp_path
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no", "--dir", str(self.directory)]
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 30
        while not self.answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start on port {self.port}")
            time.sleep(0.05)
        return self

    def answers(self):
        import redis

        client = redis.Redis(port=self.port, socket_connect_timeout=1, socket_timeout=1)
        try:
            return client.ping()
        except redis.RedisError:
            return False
        finally:
            client.close()

    def freeze(self):
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self):
        self.process.send_signal(signal.SIGCONT)

    def stop(self):
        if self.process is None:
            return
        self.thaw()  # a frozen process does not act on SIGTERM
        self.process.terminate()
        self.process.wait(30)
        self.process = None


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path).start()
    yield server
    server.stop()


class DatabaseRelay:
    """A TCP relay in front of PostgreSQL: the app connects through it; cut() closes every
    connection and refuses new ones (each refused connection is counted) until restore()."""

    def __init__(self, database_url):
        url = make_url(database_url)
        self.target = (url.host or "127.0.0.1", url.port or 5432)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.url = url.set(host="127.0.0.1", port=self.port).render_as_string(hide_password=False)
        self.refused = 0
        self._cut = threading.Event()
        self._closed = threading.Event()
        self._lock = threading.Lock()
        self._sockets = set()
        threading.Thread(target=self._accept, daemon=True).start()

    def cut(self):
        self._cut.set()
        with self._lock:
            sockets, self._sockets = self._sockets, set()
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def restore(self):
        self._cut.clear()

    def close(self):
        self._closed.set()
        self.cut()
        self.listener.close()

    def _accept(self):
        while not self._closed.is_set():
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self._cut.is_set():
                with self._lock:
                    self.refused += 1
                client.close()
                continue
            try:
                server = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets.update((client, server))
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    def _pipe(self, source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_RDWR)  # the other direction ends too
        with self._lock:
            self._sockets.discard(source)
        source.close()


class right_after_the_commit:
    """Runs `fault()` once, just after the next COMMIT of any session (the view's), not at
    a SAVEPOINT's release."""

    def __init__(self, fault):
        self.fault, self.done = fault, False

    def __call__(self, session):
        if not self.done and not session.in_nested_transaction():
            self.done = True
            self.fault()

    def __enter__(self):
        event.listen(Session, "after_commit", self)
        return self

    def __exit__(self, *exc):
        event.remove(Session, "after_commit", self)
