import Foundation
import Testing

/// ICMP, which Network Monitor, nethogs and bandwhich leave unowned: echo over ping sockets and raw sockets,
/// IPv4 and IPv6, attributed to the PIDs the test started, also when the pinger is in another namespace of
/// the host; the kernel's replies belong to the pinger's conversation, never to a process of the answering
/// side; an ICMP error goes to the program whose packet it quotes.
extension IntegrationTests {
@Suite struct ICMPAttributionTests {
    @Test("Echo over ping sockets and raw sockets, IPv4 and IPv6: each pinger's echoes go to its PID",
          arguments: [("127.0.0.1", false), ("::1", false), ("127.0.0.1", true), ("::1", true)])
    func pingersAreAttributed(address: String, raw: Bool) throws {
        let namespace = try TestNamespace("echo")
        defer { namespace.tearDown() }
        // Ping sockets are for the groups in ping_group_range (per namespace; none by default).
        try namespace.exec(["sysctl", "-qw", "net.ipv4.ping_group_range=0 2147483647"])
        let capture = try ProcscopeRun(in: namespace, arguments: ["-i", "lo", "icmp", "or", "icmp6"])
        var pingers: [Peer] = []
        for _ in 0..<3 {
            let pinger = try Peer.start(in: namespace, ["ping", address, "3", "20"] + (raw ? ["raw"] : []))
            pinger.wait()
            pingers.append(pinger)
        }
        let report = try capture.stop()
        let proto = address.contains(":") ? "icmpv6" : "icmp"
        let owners = pingers.map { ($0.pid, proto, $0.port) }
        #expect(report.wronglyCreditedBytes(owners: owners) == 0)
        for pinger in pingers {
            // 3 requests and 3 replies of 84 (IPv4) or 104 (IPv6) bytes.
            #expect(report.bytes(pid: pinger.pid, proto: proto, port: pinger.port) >= 6 * 84,
                    "pinger \(pinger.pid) (echo id \(pinger.port)) not credited")
        }
        let method = raw ? "raw-socket" : "ping-socket"
        let methods = report.processes.filter { p in pingers.contains { $0.pid == p.pid } }.flatMap(\.conversations).map(\.method)
        #expect(!methods.isEmpty && methods.allSatisfy { $0 == method }, "\(methods)")
    }

    @Test("Echo requests from another namespace, answered by this one's kernel: the requests and the kernel's replies are the pinger's, in its namespace")
    func echoAnsweredByTheKernelIsThePingers() throws {
        let here = try TestNamespace("ka"), there = try TestNamespace("kb")
        defer { here.tearDown(); there.tearDown() }
        try here.connect(to: there)
        let capture = try ProcscopeRun(in: here, arguments: ["-i", here.vethName!, "icmp"])
        let pinger = try Peer.start(in: there, ["ping", "198.18.0.1", "3", "20", "raw"])
        pinger.wait()
        let report = try capture.stop()
        #expect(report.wronglyCreditedBytes(owners: [(pinger.pid, "icmp", pinger.port)]) == 0)
        let echoes = report.processes.filter { $0.pid == pinger.pid }.flatMap(\.conversations)
        #expect(echoes.count == 1 && echoes[0].txPackets == 3 && echoes[0].rxPackets == 3 && echoes[0].method == "raw-socket",
                "\(echoes)")
        #expect(report.unknown.allSatisfy { $0.proto != "icmp" }, "nothing of the echo is left unknown")
    }

    @Test("A UDP sender to a closed port: the kernel's port-unreachable error is credited to the sender's PID")
    func portUnreachableGoesToTheSender() throws {
        let namespace = try TestNamespace("unreach")
        defer { namespace.tearDown() }
        let capture = try ProcscopeRun(in: namespace, arguments: ["-i", "lo", "udp", "port", "5399", "or", "icmp"])
        let sender = try Peer.start(in: namespace, ["udp-client", "127.0.0.1", "5399", "100", "50"])
        sender.wait()
        let report = try capture.stop()
        #expect(report.wronglyCreditedBytes(owners: [(sender.pid, "udp", sender.port)]) == 0)
        let conversation = report.processes.first { $0.pid == sender.pid }?.conversations.first { $0.localPort == Int(sender.port) }
        #expect(conversation?.txPackets == 1 && conversation?.rxPackets == 1, "datagram out, its ICMP error in")
        // The closed port's side: the datagram in and the kernel's error out, with nobody to credit.
        let closed = report.unknown.first { $0.localPort == 5399 }
        #expect(closed?.reason == "no-socket" && closed?.txPackets == 1)
    }

    @Test("Packets of IP protocol 253 from a raw socket are credited to its owner, over IPv4 and IPv6",
          arguments: ["127.0.0.1", "::1"])
    func rawProtocolSenderIsAttributed(address: String) throws {
        let namespace = try TestNamespace("raw")
        defer { namespace.tearDown() }
        let capture = try ProcscopeRun(in: namespace, arguments: ["-i", "lo", "ip", "proto", "253", "or", "ip6", "proto", "253"])
        let sender = try Peer.start(in: namespace, ["raw", address, "253", "5", "50"])
        sender.wait()
        let report = try capture.stop()
        let credited = report.processes.flatMap { process in process.conversations.map { (process.pid, $0) } }
            .filter { $0.1.proto == "ip-253" }
        #expect(!credited.isEmpty && credited.allSatisfy { $0.0 == sender.pid }, "\(credited.map(\.0))")
        #expect(credited.reduce(0) { $0 + $1.1.txBytes } >= 5 * 100)
        #expect(credited.allSatisfy { $0.1.method == "raw-socket" })
    }

    @Test("Seen from the far namespace: a pinger and a UDP sender behind a veth get their echoes and their port unreachable")
    func icmpOfAnotherNamespaceIsAttributed() throws {
        let here = try TestNamespace("ia"), there = try TestNamespace("ib")
        defer { here.tearDown(); there.tearDown() }
        try here.connect(to: there)
        try here.exec(["sysctl", "-qw", "net.ipv4.ping_group_range=0 2147483647"])
        let capture = try ProcscopeRun(in: there, arguments: ["-i", "any", "icmp", "or", "udp"])
        let pinger = try Peer.start(in: here, ["ping", "198.18.0.2", "3", "50"])
        pinger.wait()
        let sender = try Peer.start(in: here, ["udp-client", "198.18.0.2", "5391", "50", "50"])
        sender.wait()
        let report = try capture.stop()
        #expect(report.wronglyCreditedBytes(owners: [(pinger.pid, "icmp", pinger.port), (sender.pid, "udp", sender.port)]) == 0)
        #expect(report.bytes(pid: pinger.pid, proto: "icmp", port: pinger.port) == 6 * 84, "3 requests and 3 replies")
        let datagram = report.processes.filter { $0.pid == sender.pid }.flatMap(\.conversations)
        #expect(datagram.count == 1 && datagram[0].txPackets == 1 && datagram[0].rxPackets == 1,
                "the datagram out and its port unreachable back: \(datagram)")
        #expect(report.processes.first { $0.pid == pinger.pid }?.netns != report.processes.first { $0.pid != pinger.pid && $0.pid != sender.pid }?.netns)
    }

    /// The refused socket leaves the kernel's tables with the RST, before any lookup; the first-send record
    /// of its SYN names the prober, whether it keeps the socket a while or exits. A prober that exits at once
    /// may be gone before procscope read its identity at exec: then the release record, which carries the
    /// identity the kernel saw, names it (method released-socket). Either way the PID is the prober's.
    @Test("A SYN to a closed port: the prober's SYN is the prober's; the RST that refuses it is the kernel's",
          arguments: [100, 0])
    func resetForAClosedPortIsKernelTraffic(lingerMilliseconds: Int) throws {
        let namespace = try TestNamespace("rst")
        defer { namespace.tearDown() }
        let capture = try ProcscopeRun(in: namespace, arguments: ["-i", "lo", "tcp", "port", "5396"])
        let prober = try Peer.start(in: namespace, ["tcp-probe", "127.0.0.1", "5396", "5397", String(lingerMilliseconds)])
        prober.wait()
        let report = try capture.stop()
        #expect(report.wronglyCreditedBytes(owners: [(prober.pid, "tcp", 5397)]) == 0)
        let refusal = report.unknown.filter { $0.localPort == 5396 }
        #expect(!refusal.isEmpty && refusal.allSatisfy { $0.txPackets > 0 && $0.reason == "no-socket" }, "\(refusal)")
        let probe = report.processes.filter { $0.pid == prober.pid }.flatMap(\.conversations)
        let methods = lingerMilliseconds > 0 ? ["recorded-send"] : ["recorded-send", "released-socket"]
        #expect(probe.count == 1 && probe[0].txPackets == 1 && methods.contains(probe[0].method ?? ""),
                "the SYN is the prober's: \(probe); unknown: \(report.unknown.filter { $0.localPort == 5397 })")
        #expect(report.processes.allSatisfy { $0.pid == prober.pid })
    }

    /// Raw ICMP sockets all see every echo, so two alive at once cannot be told apart by the tables; the
    /// first-send record of each request's socket can.
    @Test("Pingers on raw sockets while another raw ICMP socket is open: each one's echoes go to it (recorded-send)")
    func concurrentRawPingersAreToldApart() throws {
        let namespace = try TestNamespace("rawtwo")
        defer { namespace.tearDown() }
        let capture = try ProcscopeRun(in: namespace, arguments: ["-i", "lo", "icmp"])
        // Holds a raw ICMP socket throughout, so every later lookup finds two or more.
        let holder = try Peer.start(in: namespace, ["ping", "127.0.0.1", "1", "1500", "raw"])
        usleep(100_000)
        var pingers: [Peer] = []
        for _ in 0..<2 {
            let pinger = try Peer.start(in: namespace, ["ping", "127.0.0.1", "3", "100", "raw"])
            pinger.wait()
            pingers.append(pinger)
        }
        holder.wait()
        let report = try capture.stop()
        #expect(report.wronglyCreditedBytes(owners: ([holder] + pingers).map { ($0.pid, "icmp", $0.port) }) == 0)
        for pinger in pingers {
            let echoes = report.processes.filter { $0.pid == pinger.pid }.flatMap(\.conversations)
            #expect(echoes.count == 1 && echoes[0].txPackets == 3 && echoes[0].method == "recorded-send", "\(echoes)")
        }
    }

    /// A pinger that sends one request and exits takes its socket with it before any lookup; the first-send
    /// record of the request names it (method recorded-send; raw-socket when the raw socket is still there).
    @Test("Pingers that exit right after their request, over ping and raw sockets: at least 95% credited, never wrongly",
          arguments: [false, true])
    func pingersExitingAtOnceAreAttributed(raw: Bool) throws {
        let namespace = try TestNamespace(raw ? "rawexit" : "pingexit")
        defer { namespace.tearDown() }
        try namespace.exec(["sysctl", "-qw", "net.ipv4.ping_group_range=0 2147483647"])
        let capture = try ProcscopeRun(in: namespace, arguments: ["-i", "lo", "icmp"])
        var pingers: [Peer] = []
        for _ in 0..<20 {
            let pinger = try Peer.start(in: namespace, ["ping", "127.0.0.1", "1", "0"] + (raw ? ["raw"] : []))
            pinger.wait()
            pingers.append(pinger)
            usleep(5_000)
        }
        let report = try capture.stop()
        #expect(report.wronglyCreditedBytes(owners: pingers.map { ($0.pid, "icmp", $0.port) }) == 0)
        let credited = pingers.filter { report.bytes(pid: $0.pid, proto: "icmp", port: $0.port) >= 84 }
        let methods = report.processes.filter { p in pingers.contains { $0.pid == p.pid } }.flatMap(\.conversations)
            .map { $0.method ?? "?" }
        let missed = report.unknown.filter { $0.proto == "icmp" }.map { "\($0.reason ?? "?"): \($0.detail ?? "")" }
        print("pingers exiting at once (\(raw ? "raw" : "ping") sockets): \(credited.count)/\(pingers.count) credited, methods \(Set(methods).sorted())")
        #expect(credited.count * 100 >= pingers.count * 95, "unknown: \(missed)")
    }
}
}
