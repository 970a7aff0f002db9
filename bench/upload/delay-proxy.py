#!/usr/bin/env python3
"""A TCP relay on 127.0.0.1 that adds a fixed delay each way: a link with latency, where the kernel has no netem.

    usage: delay-proxy.py LISTEN_PORT TARGET_PORT RTT_MS [MAX_SECONDS]

Every chunk read from one side is written to the other RTT_MS/2 after it arrived, in order, without waiting for the
chunks before it to be delivered: pipelined traffic stays pipelined, and each request/response turn costs one RTT.
Loopback only (127.0.0.1 both ends). Exits by itself after MAX_SECONDS (default 3600), or on SIGTERM.
"""
import asyncio
import signal
import sys

HOST = "127.0.0.1"


async def pump(reader, writer, delay):
    queue = asyncio.Queue()

    async def deliver():
        loop = asyncio.get_running_loop()
        while True:
            due, data = await queue.get()
            if data is None:
                break
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            writer.write(data)
            await writer.drain()
        if writer.can_write_eof():
            writer.write_eof()

    sender = asyncio.create_task(deliver())
    loop = asyncio.get_running_loop()
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            queue.put_nowait((loop.time() + delay, data))
    except (ConnectionError, OSError):
        pass
    finally:
        queue.put_nowait((0, None))
    try:
        await sender
    except (ConnectionError, OSError):
        pass


async def serve(listen_port, target_port, rtt_ms, max_seconds):
    delay = rtt_ms / 2000.0

    async def handle(client_reader, client_writer):
        try:
            server_reader, server_writer = await asyncio.open_connection(HOST, target_port)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(pump(client_reader, server_writer, delay), pump(server_reader, client_writer, delay))
        for w in (client_writer, server_writer):
            w.close()

    server = await asyncio.start_server(handle, HOST, listen_port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    print(f"delay-proxy: 127.0.0.1:{listen_port} -> 127.0.0.1:{target_port}, RTT +{rtt_ms} ms", flush=True)
    try:
        await asyncio.wait_for(stop.wait(), timeout=max_seconds)
    except asyncio.TimeoutError:
        pass
    server.close()


def main():
    if len(sys.argv) < 4:
        sys.exit("usage: delay-proxy.py LISTEN_PORT TARGET_PORT RTT_MS [MAX_SECONDS]")
    listen_port, target_port, rtt_ms = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
    max_seconds = float(sys.argv[4]) if len(sys.argv) > 4 else 3600
    asyncio.run(serve(listen_port, target_port, rtt_ms, max_seconds))


if __name__ == "__main__":
    main()
