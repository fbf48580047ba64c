"""The busy-host benchmark's runner (Scripts/bench-busy-host.sh builds and calls it).

Every process it starts it ends by PID; the namespace it creates it deletes. Traffic stays on the namespace's
loopback."""
import json, os, signal, statistics, subprocess, sys, tempfile, time

BIN = sys.argv[1]
SIZES = [int(s) for arg in sys.argv[2:] for s in arg.split()]
SOCKETS = 50
CLIENTS = 200


def peer(namespace, *args, wait=False):
    """Starts procscope-testpeer in the namespace; returns (process, pid, port) from its ready line."""
    process = subprocess.Popen(["ip", "netns", "exec", namespace, f"{BIN}/procscope-testpeer", *map(str, args)],
                               stdout=subprocess.PIPE, text=True)
    line = process.stdout.readline()
    fields = dict(f.split("=") for f in line.split()[1:])
    if wait:
        process.wait()
    return process, int(fields["pid"]), int(fields["port"])


def percentile(values, fraction):
    return sorted(values)[min(len(values) - 1, int(len(values) * fraction))] if values else -1


def run(size):
    namespace = f"psbusy{os.getpid()}"
    subprocess.run(["ip", "netns", "add", namespace], check=True)
    subprocess.run(["ip", "-n", namespace, "link", "set", "lo", "up"], check=True)
    crowd = capture = None
    servers = []
    try:
        if size:
            crowd = subprocess.Popen([f"{BIN}/procscope-testpeer", "crowd", str(size), str(SOCKETS), "900"],
                                     stdout=subprocess.PIPE, text=True)
            crowd.stdout.readline()
        out = tempfile.NamedTemporaryFile(suffix=".json", delete=False).name
        capture = subprocess.Popen(["ip", "netns", "exec", namespace, f"{BIN}/procscope", "capture", "-i", "lo",
                                    "--quiet", "--json", out, "port 5310 or port 5311 or port 5312"],
                                   stderr=subprocess.PIPE, text=True)
        started = time.time()
        while "listening on" not in capture.stderr.readline():
            pass
        warmup = time.time() - started
        if os.environ.get("VERBOSE"):
            import threading
            threading.Thread(target=lambda: [print("  procscope:", line, end="", flush=True) for line in capture.stderr],
                             daemon=True).start()
        owners = {}  # (proto, port) -> the PIDs that used it (a client's ephemeral port may be reused by a later one)
        for proto, port in (("tcp", 5310), ("udp", 5311), ("udp", 5312)):
            server, pid, _ = peer(namespace, f"{proto}-server", "127.0.0.1", port, 600)
            servers.append(server)
            owners[(proto, port)] = {pid}
        clients = []
        for proto, port in (("tcp", 5310), ("udp", 5311)):
            for _ in range(CLIENTS):
                _, pid, local = peer(namespace, f"{proto}-client", "127.0.0.1", port, 1000, 0, wait=True)
                owners.setdefault((proto, local), set()).add(pid)
                clients.append((proto, local, pid))
                time.sleep(0.005)
        # Port reuse: the first process sends 20 datagrams from port 47000 and exits; the second binds the
        # same port at once and sends 200.
        reuse = []
        for count in (20, 200):
            _, pid, local = peer(namespace, "udp-client", "127.0.0.1", 5312, 1000, 0, 47000, count, wait=True)
            reuse.append((pid, count * 1028))
        time.sleep(0.5)
        capture.send_signal(signal.SIGINT)
        capture.wait()
        report = json.load(open(out))
        os.unlink(out)
    finally:
        for process in servers + [p for p in (crowd, capture) if p]:
            if process.poll() is None:
                process.kill()
                process.wait()
        subprocess.run(["ip", "netns", "del", namespace])

    credited = {}  # (proto, port, pid) -> bytes
    latencies = []
    client_pids = {pid for _, _, pid in clients}
    wrong = 0
    reuse_pids = {pid for pid, _ in reuse}
    reuse_bytes = {}
    for process in report["processes"]:
        for conversation in process["conversations"]:
            key = (conversation["protocol"], conversation["local"]["port"])
            size_ = conversation["tx"]["bytes"] + conversation["rx"]["bytes"]
            if key == ("udp", 47000):
                reuse_bytes[process["pid"]] = reuse_bytes.get(process["pid"], 0) + conversation["tx"]["bytes"]
                if process["pid"] not in reuse_pids:
                    wrong += size_
                continue
            if process["pid"] not in owners.get(key, set()):
                wrong += size_
                print(f"  wrong: {size_} bytes of {key} credited to {process['pid']} "
                      f"({conversation['attribution']['method']}); its PIDs: {owners.get(key)}", flush=True)
            credited[key + (process["pid"],)] = credited.get(key + (process["pid"],), 0) + size_
            if process["pid"] in client_pids and conversation["attribution"]["latency_us"] is not None:
                latencies.append(conversation["attribution"]["latency_us"])
                if os.environ.get("VERBOSE") and latencies[-1] > 10_000:
                    print(f"  slow: {key} {conversation['attribution']}", flush=True)
    # A reused port's bytes beyond what each process sent went to the other process: wrong.
    for pid, sent in reuse:
        wrong += max(0, reuse_bytes.get(pid, 0) - sent)
    # A client counts as attributed when its own bytes (at least the 1,000 it sent) are credited to it.
    attributed = sum(1 for proto, port, pid in clients if credited.get((proto, port, pid), 0) >= 1000)
    reuse_ok = sum(1 for pid, sent in reuse if reuse_bytes.get(pid, 0) == sent)
    reasons = {}
    for conversation in report["unknown"]["conversations"]:
        reasons[conversation["reason"]] = reasons.get(conversation["reason"], 0) + 1
    print(f"{size:>5} x {SOCKETS} sockets  {attributed}/{len(clients)} clients attributed "
          f"({100 * attributed / len(clients):.1f}%), first-packet-to-owner p50 {percentile(latencies, 0.5)} us "
          f"p99 {percentile(latencies, 0.99)} us, port reuse {reuse_ok}/2 exact, {wrong} bytes to a wrong process; "
          f"warm-up {warmup:.2f} s; unknown: {reasons or '-'}", flush=True)


print(f"{CLIENTS} TCP + {CLIENTS} UDP clients that exit right after sending, and a UDP port reused at once, "
      f"beside N idle processes holding {SOCKETS} sockets each")
for size in SIZES:
    run(size)
