"""The Redis cache backend keeps one client per server instead of building one per call, and
writes many entries in one plain pipeline."""

import shutil
import socket
import subprocess
import time

import pytest
import redis

from qlibrary.redis_cache import RedisCache


def test_every_call_to_one_server_uses_the_same_client():
    cache = RedisCache("redis://127.0.0.1:6390/0", {})  # building a client does not connect
    client = cache._cache.get_client(write=True)
    assert cache._cache.get_client() is client
    assert cache._cache.get_client("a key", write=True) is client
    assert client.connection_pool.connection_kwargs["port"] == 6390


def test_reads_and_writes_go_to_their_own_servers_clients():
    cache = RedisCache("redis://127.0.0.1:6391/0,redis://127.0.0.1:6392/0", {})
    writer = cache._cache.get_client(write=True)
    reader = cache._cache.get_client()
    assert writer.connection_pool.connection_kwargs["port"] == 6391
    assert reader.connection_pool.connection_kwargs["port"] == 6392
    assert cache._cache.get_client() is reader and cache._cache.get_client(write=True) is writer


@pytest.fixture
def redis_cache(tmp_path):
    """The cache on a Redis of its own, started for the test as production's page cache runs
    (no persistence)."""
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed (Debian: apt-get install redis-server)")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(  # noqa: S603 (the installed redis-server, our arguments)
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    cache = RedisCache(f"redis://127.0.0.1:{port}/0", {})
    try:
        for _ in range(100):
            try:
                cache.clear()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        yield cache
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_many_entries_are_written_at_once_each_with_its_timeout(redis_cache):
    redis_cache.set_many({"card:1": "<article>1</article>", "card:2": ["a", 2]}, timeout=30)
    redis_cache.set_many({"card:3": "kept"}, timeout=None)

    assert redis_cache.get_many(["card:1", "card:2", "card:3"]) == {
        "card:1": "<article>1</article>",
        "card:2": ["a", 2],
        "card:3": "kept",
    }
    client = redis_cache._cache.get_client()
    assert 25 < client.ttl(redis_cache.make_key("card:1")) <= 30
    assert client.ttl(redis_cache.make_key("card:3")) == -1  # no expiry


def test_entries_written_with_no_time_to_live_are_gone(redis_cache):
    redis_cache.set("card:1", "old", timeout=60)

    redis_cache.set_many({"card:1": "new"}, timeout=0)

    assert redis_cache.get("card:1") is None
