@testable import procscope
import Testing

/// Help text is part of the interface: pinned, so a change to it is a deliberate one.
@Suite struct HelpTextTests {
    @Test("capture --help lists every option with its default")
    func captureHelpIsPinned() {
        #expect(Procscope.helpMessage(for: CaptureCommand.self, columns: 100) == """
        OVERVIEW: Capture, attribute frames to processes, and print a per-process summary.

        Examples:
          procscope capture --duration 10         (all interfaces, 10 s)
          procscope capture -i lo --json out.json tcp
          procscope capture -r trace.pcapng --json -
          procscope capture --ndjson - --interval 5 | jq -c 'select(.owner.name == "curl")'
          procscope capture -i eth0 -w annotated.pcapng --duration 60
          procscope capture --quiet --metrics-listen 127.0.0.1:9464   (Prometheus scrapes /metrics)

        SIGINT and SIGTERM stop the capture and write everything; SIGHUP reopens the --ndjson and -w files
        (logrotate).

        USAGE: procscope capture [<options>] [<filter> ...]

        ARGUMENTS:
          <filter>                A pcap-filter expression (see 'man pcap-filter'), e.g. 'tcp port 443'.

        OPTIONS:
          -i, --interface <interface>
                                  Interface to capture on ('any' for all), or its number in the -D list;
                                  several -i capture several interfaces.
          -D, --list-interfaces   List the interfaces capture can use, numbered as tcpdump -D numbers them,
                                  and exit.
          -r, --read <read>       Read frames from a pcap or pcapng file instead ('-' for stdin).
          -c, --count <count>     Stop after this many packets.
          --duration <duration>   Stop after this many seconds.
          -s, --snapshot-length <snapshot-length>
                                  Bytes kept of each frame (headers are enough; 0: 262144, as tcpdump).
                                  (default: 256)
          -n                      Accepted as tcpdump takes it (also -nn): procscope prints addresses and
                                  ports as numbers and never resolves them.
          -p                      Accepted as tcpdump takes it: procscope never puts the interface in
                                  promiscuous mode (frames for other hosts are no local process's).
          -Q, --direction <in|out|inout>
                                  Keep only frames received (in), sent (out), or both (inout), as tcpdump
                                  -Q. Live capture only. (values: inout, in, out; default: inout)
          --time-stamp-precision <micro|nano>
                                  Stamp live frames in microseconds or nanoseconds, as tcpdump
                                  --time-stamp-precision: -w files then say nanoseconds (if_tsresol 9) and
                                  audit lines print nine digits. (values: micro, nano; default: micro)
          --nano                  The same as --time-stamp-precision nano.
          --resolve               Also name remote addresses through the system resolver (reverse lookups,
                                  on a thread of their own; a live capture only). Without it procscope
                                  sends no query: names come only from the DNS answers it captures.
          -Z, --relinquish-privileges <user>
                                  Once the capture is open and the first pass over /proc is done (at most 5
                                  s), carry on as this user, as tcpdump -Z, keeping only cap_net_raw: other
                                  users' sockets are then found only through the kernel's socket records,
                                  and new network namespaces are not entered.
          -B, --buffer-size <buffer-size>
                                  Kernel capture buffer in KiB. (default: 65536)
          --max-flows <count>     Live conversations kept at most; past it new flows are <Unknown>
                                  flow-table-full (about 170 bytes each). (default: 1048576)
          -F <file>               Read the filter expression from this file ('#' starts a comment), as
                                  tcpdump -F.
          --pid <pid>             Keep only this process's traffic (repeatable).
          --comm <name>           Keep only processes with this name (comm; repeatable).
          --user <user>           Keep only processes of this user name or uid (repeatable).
          --netns <inode>         Keep only processes in this network namespace (its inode; repeatable).
          --container <name|id>   Keep only processes of this container: its name, the start of its id, or
                                  a part of its cgroup path (repeatable).
          --unit <unit>           Keep only processes of this systemd unit (nginx.service, or nginx;
                                  repeatable).
          --unknown-only          Keep only traffic that could not be attributed.
          --json <file>           Write the JSON export (schema procscope/2) to this file, or '-' for
                                  stdout.
          --ndjson <file>         Stream one JSON line per conversation as it changes, ends (closed, or
                                  expired after 5 min of silence) and at the end, to this file or '-'.
          -w, --write <file>      Also write every packet to this pcapng file, with a comment naming its
                                  owner (tshark and Wireshark show it) and the process table, so that
                                  'capture -r' on it gives the same report.
          -C, --file-size <MB>    With -w, start a new file (OUT1, OUT2, ...) once the current one has
                                  passed this many megabytes.
          -G, --rotate-seconds <seconds>
                                  With -w, start a new file every this many seconds (at the first packet
                                  after), named by OUT as a strftime format, e.g. -w 'trace-%H%M%S.pcapng'.
          -W, --file-count <count>
                                  With -C, keep at most this many files, reusing the first after the last
                                  (OUT0, OUT1, ...); with -G alone, stop after this many files.
          --process-blocks        With -w, also describe each process (name, path, command line, parent,
                                  user, start) in Wireshark's process information block, before its first
                                  packet. Wireshark's development branch shows them with each packet's
                                  process id; older Wireshark and tshark list each block as a frame of its
                                  own, shifting frame numbers.
          --metrics-listen <address:port>
                                  Serve Prometheus metrics at http://ADDRESS:PORT/metrics (e.g.
                                  127.0.0.1:9464, [::1]:9464, :9464 for every address).
          --metrics-textfile <file>
                                  Write the same metrics to this file every 5 s and at the end (for
                                  node_exporter's textfile collector; written whole, through a rename).
          --metrics-max-programs <count>
                                  Programs that get series of their own; later ones are counted under
                                  program="other". (default: 500)
          --interval <seconds>    Seconds between --ndjson updates. (default: 1.0)
          --quiet                 Do not print the summary table.
          -v                      After the summary table, a line per process with its user, executable,
                                  parent, container and unit (as tcpdump -v adds detail).
          --version               Show the version.
          -h, --help              Show help information.

        """)
    }

    @Test("audit --help explains the line and has examples")
    func auditHelpIsPinned() {
        #expect(Procscope.helpMessage(for: AuditCommand.self, columns: 100) == """
        OVERVIEW: List every packet with the process that sent or received it.

        Each line: time (UTC), interface, direction (out, in, local for loopback, fwd), protocol, source >
        destination, IP length, then pid/program (sender > receiver on loopback) or <Unknown: reason>.
        Lines follow capture order; a packet waits for its owner's lookup (at most 1 s).

        Examples:
          procscope audit -i lo tcp port 8080
          procscope audit --json -c 100 | jq 'select(.owners == [])'
          procscope audit -r trace.pcapng
          procscope audit -i any -w audit.pcapng udp port 53

        USAGE: procscope audit [<options>] [<filter> ...]

        ARGUMENTS:
          <filter>                A pcap-filter expression (see 'man pcap-filter'), e.g. 'tcp port 443'.

        OPTIONS:
          -i, --interface <interface>
                                  Interface to capture on ('any' for all), or its number in the -D list;
                                  several -i capture several interfaces.
          -D, --list-interfaces   List the interfaces capture can use, numbered as tcpdump -D numbers them,
                                  and exit.
          -r, --read <read>       Read frames from a pcap or pcapng file instead ('-' for stdin).
          -c, --count <count>     Stop after this many packets.
          --duration <duration>   Stop after this many seconds.
          -s, --snapshot-length <snapshot-length>
                                  Bytes kept of each frame (headers are enough; 0: 262144, as tcpdump).
                                  (default: 256)
          -n                      Accepted as tcpdump takes it (also -nn): procscope prints addresses and
                                  ports as numbers and never resolves them.
          -p                      Accepted as tcpdump takes it: procscope never puts the interface in
                                  promiscuous mode (frames for other hosts are no local process's).
          -Q, --direction <in|out|inout>
                                  Keep only frames received (in), sent (out), or both (inout), as tcpdump
                                  -Q. Live capture only. (values: inout, in, out; default: inout)
          --time-stamp-precision <micro|nano>
                                  Stamp live frames in microseconds or nanoseconds, as tcpdump
                                  --time-stamp-precision: -w files then say nanoseconds (if_tsresol 9) and
                                  audit lines print nine digits. (values: micro, nano; default: micro)
          --nano                  The same as --time-stamp-precision nano.
          --resolve               Also name remote addresses through the system resolver (reverse lookups,
                                  on a thread of their own; a live capture only). Without it procscope
                                  sends no query: names come only from the DNS answers it captures.
          -Z, --relinquish-privileges <user>
                                  Once the capture is open and the first pass over /proc is done (at most 5
                                  s), carry on as this user, as tcpdump -Z, keeping only cap_net_raw: other
                                  users' sockets are then found only through the kernel's socket records,
                                  and new network namespaces are not entered.
          -B, --buffer-size <buffer-size>
                                  Kernel capture buffer in KiB. (default: 65536)
          --max-flows <count>     Live conversations kept at most; past it new flows are <Unknown>
                                  flow-table-full (about 170 bytes each). (default: 1048576)
          -F <file>               Read the filter expression from this file ('#' starts a comment), as
                                  tcpdump -F.
          --pid <pid>             Keep only this process's traffic (repeatable).
          --comm <name>           Keep only processes with this name (comm; repeatable).
          --user <user>           Keep only processes of this user name or uid (repeatable).
          --netns <inode>         Keep only processes in this network namespace (its inode; repeatable).
          --container <name|id>   Keep only processes of this container: its name, the start of its id, or
                                  a part of its cgroup path (repeatable).
          --unit <unit>           Keep only processes of this systemd unit (nginx.service, or nginx;
                                  repeatable).
          --unknown-only          Keep only traffic that could not be attributed.
          --json                  Print one JSON object per packet instead of a line.
          -v                      End each line with what is known of its owners, as tcpdump -v adds
                                  fields: user, executable, parent, container, unit; why for an unknown
                                  side; the remote end's name from captured DNS answers.
          -w, --write <file>      Also write every packet to this pcapng file, with a comment naming its
                                  owner (tshark and Wireshark show it) and the process table, so that
                                  'capture -r' on it gives the same report.
          -C, --file-size <MB>    With -w, start a new file (OUT1, OUT2, ...) once the current one has
                                  passed this many megabytes.
          -G, --rotate-seconds <seconds>
                                  With -w, start a new file every this many seconds (at the first packet
                                  after), named by OUT as a strftime format, e.g. -w 'trace-%H%M%S.pcapng'.
          -W, --file-count <count>
                                  With -C, keep at most this many files, reusing the first after the last
                                  (OUT0, OUT1, ...); with -G alone, stop after this many files.
          --process-blocks        With -w, also describe each process (name, path, command line, parent,
                                  user, start) in Wireshark's process information block, before its first
                                  packet. Wireshark's development branch shows them with each packet's
                                  process id; older Wireshark and tshark list each block as a frame of its
                                  own, shifting frame numbers.
          --version               Show the version.
          -h, --help              Show help information.

        """)
    }

    @Test("top --help lists its keys and examples")
    func topHelpIsPinned() {
        #expect(Procscope.helpMessage(for: TopCommand.self, columns: 100) == """
        OVERVIEW: Live per-process traffic in the terminal, like nethogs, with <kernel> and <Unknown>
        explained.

        Three views, as bandwhich has them (v or Tab): processes (g folds children into their parents, then
        groups by container, then by systemd unit), connections (open ones first, closed ones collapsed
        into one row), remote hosts (named from captured DNS). Keys: arrows or j/k select (the selected
        row's last minute is drawn at the bottom), Enter opens a row (a process's conversations,
        <Unknown>'s reasons, a host's processes), s sorts by the next column and r reverses, u switches
        bytes and bits, p pauses, / filters by name, ? lists the keys, q quits. Colour unless NO_COLOR is
        set. Without a terminal, use 'procscope capture'.

        Examples:
          sudo procscope top
          sudo procscope top -i eth0 --interval 2 tcp
          sudo procscope top -w session.pcapng     (and keep every packet, annotated)
          sudo procscope top --metrics-listen 127.0.0.1:9464   (and serve Prometheus metrics)

        USAGE: procscope top [<options>] [<filter> ...]

        ARGUMENTS:
          <filter>                A pcap-filter expression (see 'man pcap-filter'), e.g. 'tcp port 443'.

        OPTIONS:
          -i, --interface <interface>
                                  Interface to capture on ('any' for all). (default: any)
          --interval <seconds>    Seconds between redraws. (default: 1.0)
          --resolve               Also name remote addresses through the system resolver (reverse lookups,
                                  on a thread of their own). Without it procscope sends no query: names
                                  come only from the DNS answers it captures.
          --pid <pid>             Keep only this process's traffic (repeatable).
          --comm <name>           Keep only processes with this name (comm; repeatable).
          --user <user>           Keep only processes of this user name or uid (repeatable).
          --netns <inode>         Keep only processes in this network namespace (its inode; repeatable).
          --container <name|id>   Keep only processes of this container: its name, the start of its id, or
                                  a part of its cgroup path (repeatable).
          --unit <unit>           Keep only processes of this systemd unit (nginx.service, or nginx;
                                  repeatable).
          --unknown-only          Keep only traffic that could not be attributed.
          -w, --write <file>      Also write every packet to this pcapng file, with a comment naming its
                                  owner (tshark and Wireshark show it) and the process table, so that
                                  'capture -r' on it gives the same report.
          -C, --file-size <MB>    With -w, start a new file (OUT1, OUT2, ...) once the current one has
                                  passed this many megabytes.
          -G, --rotate-seconds <seconds>
                                  With -w, start a new file every this many seconds (at the first packet
                                  after), named by OUT as a strftime format, e.g. -w 'trace-%H%M%S.pcapng'.
          -W, --file-count <count>
                                  With -C, keep at most this many files, reusing the first after the last
                                  (OUT0, OUT1, ...); with -G alone, stop after this many files.
          --process-blocks        With -w, also describe each process (name, path, command line, parent,
                                  user, start) in Wireshark's process information block, before its first
                                  packet. Wireshark's development branch shows them with each packet's
                                  process id; older Wireshark and tshark list each block as a frame of its
                                  own, shifting frame numbers.
          --metrics-listen <address:port>
                                  Serve Prometheus metrics at http://ADDRESS:PORT/metrics (e.g.
                                  127.0.0.1:9464, [::1]:9464, :9464 for every address).
          --metrics-textfile <file>
                                  Write the same metrics to this file every 5 s and at the end (for
                                  node_exporter's textfile collector; written whole, through a rename).
          --metrics-max-programs <count>
                                  Programs that get series of their own; later ones are counted under
                                  program="other". (default: 500)
          --version               Show the version.
          -h, --help              Show help information.

        """)
    }

    @Test("sockets --help has its examples")
    func socketsHelpIsPinned() {
        #expect(Procscope.helpMessage(for: SocketsCommand.self, columns: 100) == """
        OVERVIEW: List every socket (TCP, UDP, UDP-Lite, SCTP, raw, ping, packet) in every network
        namespace, with its owners.

        OWNERS is pid/program, several for a socket shared across fork.

        Examples:
          procscope sockets
          procscope sockets --json | jq '.sockets[] | select(.kind == "ping")'

        USAGE: procscope sockets [--json]

        OPTIONS:
          --json                  Print JSON (schema procscope-sockets/1) instead of the table.
          --version               Show the version.
          -h, --help              Show help information.

        """)
    }

    @Test("record --help names its database, retention and signals")
    func recordHelpIsPinned() {
        #expect(Procscope.helpMessage(for: RecordCommand.self, columns: 100) == """
        OVERVIEW: Capture continuously and keep every conversation in a history database (SQLite).

        Runs in the foreground, as a systemd service runs it (contrib/procscope-record.service), logging to
        stderr. Conversations are written once a second while they change and when they end, so a crash
        loses at most the last second; a restart appends. SIGINT and SIGTERM write everything and exit;
        SIGHUP does not stop it (nothing needs reopening: the metrics text file is replaced whole each
        time). -r FILE records a capture file instead.

        Examples:
          sudo procscope record
          sudo procscope record --retain 30d --max-db-size 2G --metrics-listen 127.0.0.1:9464
          procscope history who --remote 203.0.113.7 --at '2026-12-01 02:14:00'

        USAGE: procscope record [<options>] [<filter> ...]

        ARGUMENTS:
          <filter>                A pcap-filter expression (see 'man pcap-filter'), e.g. 'tcp port 443'.

        OPTIONS:
          -i, --interface <interface>
                                  Interface to capture on ('any' for all), or its number in the -D list;
                                  several -i capture several interfaces.
          -D, --list-interfaces   List the interfaces capture can use, numbered as tcpdump -D numbers them,
                                  and exit.
          -r, --read <read>       Read frames from a pcap or pcapng file instead ('-' for stdin).
          -c, --count <count>     Stop after this many packets.
          --duration <duration>   Stop after this many seconds.
          -s, --snapshot-length <snapshot-length>
                                  Bytes kept of each frame (headers are enough; 0: 262144, as tcpdump).
                                  (default: 256)
          -n                      Accepted as tcpdump takes it (also -nn): procscope prints addresses and
                                  ports as numbers and never resolves them.
          -p                      Accepted as tcpdump takes it: procscope never puts the interface in
                                  promiscuous mode (frames for other hosts are no local process's).
          -Q, --direction <in|out|inout>
                                  Keep only frames received (in), sent (out), or both (inout), as tcpdump
                                  -Q. Live capture only. (values: inout, in, out; default: inout)
          --time-stamp-precision <micro|nano>
                                  Stamp live frames in microseconds or nanoseconds, as tcpdump
                                  --time-stamp-precision: -w files then say nanoseconds (if_tsresol 9) and
                                  audit lines print nine digits. (values: micro, nano; default: micro)
          --nano                  The same as --time-stamp-precision nano.
          --resolve               Also name remote addresses through the system resolver (reverse lookups,
                                  on a thread of their own; a live capture only). Without it procscope
                                  sends no query: names come only from the DNS answers it captures.
          -Z, --relinquish-privileges <user>
                                  Once the capture is open and the first pass over /proc is done (at most 5
                                  s), carry on as this user, as tcpdump -Z, keeping only cap_net_raw: other
                                  users' sockets are then found only through the kernel's socket records,
                                  and new network namespaces are not entered.
          -B, --buffer-size <buffer-size>
                                  Kernel capture buffer in KiB. (default: 65536)
          --max-flows <count>     Live conversations kept at most; past it new flows are <Unknown>
                                  flow-table-full (about 170 bytes each). (default: 1048576)
          -F <file>               Read the filter expression from this file ('#' starts a comment), as
                                  tcpdump -F.
          --db <file>             The history database (SQLite). (default: /var/lib/procscope/history.db)
          --retain <span>         Roll up and delete conversations that ended longer ago than this (e.g.
                                  30d, 12h).
          --max-db-size <size>    Keep the database under this size, rolling up the oldest conversations
                                  (e.g. 2G, 500M).
          --metrics-listen <address:port>
                                  Serve Prometheus metrics at http://ADDRESS:PORT/metrics (e.g.
                                  127.0.0.1:9464, [::1]:9464, :9464 for every address).
          --metrics-textfile <file>
                                  Write the same metrics to this file every 5 s and at the end (for
                                  node_exporter's textfile collector; written whole, through a rename).
          --metrics-max-programs <count>
                                  Programs that get series of their own; later ones are counted under
                                  program="other". (default: 500)
          --version               Show the version.
          -h, --help              Show help information.

        """)
    }

    @Test("history who --help takes an endpoint and a moment or a period")
    func historyWhoHelpIsPinned() {
        #expect(Procscope.helpMessage(for: HistoryWhoCommand.self, columns: 100) == """
        OVERVIEW: The processes that talked to a remote address (and port), with their conversations and
        bytes.

        USAGE: procscope history who [--db <file>] --remote <address[:port]> [--at <time>] [--since <time>] [--until <time>] [--json]

        OPTIONS:
          --db <file>             The history database (SQLite). (default: /var/lib/procscope/history.db)
          --remote <address[:port]>
                                  The remote end: an address, with a port as ADDR:PORT or [IPv6]:PORT.
          --at <time>             A moment: conversations live then (within a second).
          --since <time>          The start of a period (default: the beginning of the history).
          --until <time>          The end of a period (default: now).
          --json                  Print JSON (an array of conversations with their owners).
          --version               Show the version.
          -h, --help              Show help information.

        """)
    }

    @Test("history top --help takes a period")
    func historyTopHelpIsPinned() {
        #expect(Procscope.helpMessage(for: HistoryTopCommand.self, columns: 100) == """
        OVERVIEW: Per-program traffic over a period, largest first.

        USAGE: procscope history top [--db <file>] [--since <time>] [--until <time>] [--json]

        OPTIONS:
          --db <file>             The history database (SQLite). (default: /var/lib/procscope/history.db)
          --since <time>          The start of the period. (default: MomentOption(text: "1h"))
          --until <time>          The end of the period (default: now).
          --json                  Print JSON (an array of per-program totals).
          --version               Show the version.
          -h, --help              Show help information.

        """)
    }

    @Test("-i and -r together are refused with a reason")
    func interfaceAndFileExcludeEachOther() {
        #expect(throws: (any Error).self) { _ = try CaptureCommand.parse(["-i", "lo", "-r", "x.pcap"]) }
    }

    @Test("A zero packet count and a negative duration are refused")
    func badLimitsAreRefused() {
        #expect(throws: (any Error).self) { _ = try CaptureCommand.parse(["-c", "0"]) }
        #expect(throws: (any Error).self) { _ = try CaptureCommand.parse(["--duration", "-1"]) }
    }

    @Test("The filter is the trailing words joined, as tcpdump takes it")
    func filterWordsAreJoined() throws {
        let command = try CaptureCommand.parse(["-i", "lo", "tcp", "port", "80"])
        #expect(command.source.filter == "tcp port 80")
    }
}

/// tcpdump's habits in the shared capture options.
@Suite struct TcpdumpHabitTests {
    @Test("A -F filter file is read as tcpdump reads it: '#' comments dropped, lines joined",
          arguments: [("udp port 53 # DNS\n", "udp port 53"),
                      ("# only web\ntcp port 80\n  or tcp port 443\n", "tcp port 80 or tcp port 443"),
                      ("\n# nothing\n", "")])
    func filterFileWithoutComments(text: String, expected: String) {
        #expect(CaptureSourceOptions.withoutComments(text) == expected)
    }

    @Test("-n, -nn and -p are accepted; -s 0 means 262144; -F excludes filter words")
    func tcpdumpFlagsParse() throws {
        let options = try CaptureSourceOptions.parse(["-nn", "-p", "-s", "0", "-i", "lo"])
        #expect(options.numeric == 2 && options.notPromiscuous)
        #expect(options.effectiveSnapLength == 262_144)
        #expect(throws: (any Error).self) { try CaptureSourceOptions.parse(["-F", "/dev/null", "tcp"]) }
        #expect(throws: (any Error).self) { try CaptureSourceOptions.parse(["-s", "10"]) }
    }
}
