// swift-tools-version: 6.0
import PackageDescription

/// Layers, outermost last: C system libraries, the shim and the eBPF objects (the OS edge), `CCacheHints` (one
/// inline prefetch hint, which Swift lacks), `ProcscopeCore` (pure Swift otherwise:
/// decoding, flows, attribution logic, aggregation, exports, the live view's model), `ProcscopeLinux`
/// (libpcap, netlink, /proc, eBPF), `ProcscopeHistory` (the flow history in SQLite, through GRDB),
/// `ProcscopeTerminal` (ncurses), and the `procscope` executable, which
/// only parses arguments and wires the parts together.
let package = Package(
    name: "procscope",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "procscope", targets: ["procscope"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // The flow history's SQLite (Debian: libsqlite3-dev), through a well-kept library: migrations, WAL
        // pools, statement caching.
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CPcap",
            pkgConfig: "libpcap",
            providers: [.apt(["libpcap-dev"])]
        ),
        .systemLibrary(
            name: "CMnl",
            pkgConfig: "libmnl",
            providers: [.apt(["libmnl-dev"])]
        ),
        .systemLibrary(
            name: "CNcurses",
            pkgConfig: "ncursesw",
            providers: [.apt(["libncurses-dev"])]
        ),
        // bpf/ holds the eBPF programs' C sources, compiled for the BPF target by Scripts/make-bpf.sh into
        // bpf_objects.c, not for the host.
        // bpf_loader.c wraps libbpf (Debian: libbpf-dev) behind an opaque handle: libbpf's <linux/bpf.h>
        // and libpcap's <pcap/bpf.h> both define `struct bpf_insn`, so Swift may import only one of them.
        .target(name: "CProcscopeLinux", exclude: ["bpf"], linkerSettings: [.linkedLibrary("bpf")]),
        // One inline function: a cache prefetch hint for the flow table (Swift has no intrinsic for it).
        .target(name: "CCacheHints"),
        .target(
            name: "ProcscopeCore",
            dependencies: ["CCacheHints"],
            // The core is single-threaded by design (one capture loop owns a session): dynamic exclusivity
            // checks cost ~6% of the per-packet path and guard against nothing here.
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]
        ),
        .target(
            name: "ProcscopeLinux",
            dependencies: ["ProcscopeCore", "CPcap", "CMnl", "CProcscopeLinux"]
        ),
        .target(
            name: "ProcscopeHistory",
            dependencies: ["ProcscopeCore", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .target(
            name: "ProcscopeTerminal",
            dependencies: ["ProcscopeCore", "CNcurses"]
        ),
        .executableTarget(
            name: "procscope",
            dependencies: [
                "ProcscopeCore",
                "ProcscopeLinux",
                "ProcscopeHistory",
                "ProcscopeTerminal",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "procscope-testpeer"),
        .testTarget(
            name: "ProcscopeCoreTests",
            dependencies: ["ProcscopeCore"],
            resources: []
        ),
        .testTarget(
            name: "ProcscopeLinuxTests",
            dependencies: ["ProcscopeLinux", "ProcscopeCore"]
        ),
        .testTarget(
            name: "ProcscopeHistoryTests",
            dependencies: ["ProcscopeHistory", "ProcscopeCore", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(
            name: "ProcscopeIntegrationTests",
            dependencies: ["ProcscopeCore"]
        ),
        .testTarget(
            name: "procscopeTests",
            dependencies: ["procscope"]
        ),
    ]
)
