import ArgumentParser

/// The root command only dispatches to a subcommand.
@main
struct Procscope: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "procscope",
        abstract: "Which program sent or received this packet? Per-process network traffic from live capture.",
        discussion: """
        procscope captures frames with libpcap, ties every frame to the process that owns its socket \
        (sock_diag and /proc), and groups frames into per-process conversations. Frames it cannot tie to a \
        process are counted under <Unknown> with the reason why.
        """,
        version: "0.1.0",
        subcommands: [TopCommand.self, CaptureCommand.self, AuditCommand.self, SocketsCommand.self, RecordCommand.self,
                      HistoryCommand.self]
    )
}
