"""The Redis cache backend keeps one client per server instead of building one per call."""

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
