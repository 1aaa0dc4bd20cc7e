#!/usr/bin/env python3
"""Prints conf/proxy.yaml as shipped with only what a bench run needs set: the port, io_threads,
data_dir, the client key, and the bench mock as the only provider behind the model "mock" (and
"mock;chunks=20" for streams). Everything else (request log, metrics, timeouts, limits) stays as
shipped. Used by scripts/bench.sh and scripts/profile.sh.

    bench/shipped_config.py CONF PORT IO_THREADS DATA_DIR KEY MOCK_PORT
"""
import re
import sys

src, port, io, data, key, mock = sys.argv[1:7]
blocks, cur = [], None
for line in open(src).read().splitlines():
    m = re.match(r"([a-z_]+):", line)
    if m:
        cur = [m.group(1), [line]]
        blocks.append(cur)
    elif cur is None:
        blocks.append(["", [line]])
    else:
        cur[1].append(line)
out = []
for name, lines in blocks:
    if name == "server":
        if not any(re.match(r"\s+port:", l) for l in lines):
            sys.exit(f"{src}: no server.port line to set")
        lines = [re.sub(r"^(\s+port:\s*)\d+", rf"\g<1>{port}", l) for l in lines]
        lines.insert(1, f"  io_threads: {io}")
    elif name == "data_dir":
        lines = [f"data_dir: {data}"]
    elif name == "auth":
        lines = [f'auth: {{api_keys: ["{key}"]}}']
    elif name == "providers":
        lines = ["providers:", f'  mock: {{type: openai, base_url: "http://127.0.0.1:{mock}/v1"}}']
    elif name == "models":
        lines = ["models:", '  "mock": {providers: {mock: {}}}', '  "mock;chunks=20": {providers: {mock: {}}}']
    out += lines
print("\n".join(out))
