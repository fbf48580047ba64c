import ArgumentParser
import ProcscopeCore
import ProcscopeLinux
import ProcscopeTerminal

/// `procscope top`: the live per-process view (ncurses), redrawn every `--interval` seconds.
struct TopCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "top",
        abstract: "Live per-process traffic in the terminal, like nethogs, with <kernel> and <Unknown> explained.",
        discussion: """
        Three views, as bandwhich has them (v or Tab): processes (g folds children into their parents, then \
        groups by container, then by systemd unit), connections (open ones first, closed ones collapsed into one row), remote hosts (named from \
        captured DNS). Keys: arrows or j/k select (the selected row's last minute is drawn at the bottom), \
        Enter opens a row (a process's conversations, <Unknown>'s reasons, a host's processes), s sorts by \
        the next column and r reverses, u switches bytes and bits, p pauses, / filters by name, ? lists the \
        keys, q quits. Colour unless NO_COLOR is set. Without a terminal, use 'procscope capture'.

        Examples:
          sudo procscope top
          sudo procscope top -i eth0 --interval 2 tcp
          sudo procscope top -w session.pcapng     (and keep every packet, annotated)
          sudo procscope top --metrics-listen 127.0.0.1:9464   (and serve Prometheus metrics)
        """
    )

    @Option(name: .shortAndLong, help: "Interface to capture on ('any' for all).")
    var interface: String = "any"

    @Option(name: .long, help: ArgumentHelp("Seconds between redraws.", valueName: "seconds"))
    var interval: Double = 1

    @Flag(name: .customLong("resolve"), help: "Also name remote addresses through the system resolver (reverse lookups, on a thread of their own). Without it procscope sends no query: names come only from the DNS answers it captures.")
    var resolve = false

    @OptionGroup var owners: OwnerFilterOptions

    @OptionGroup var annotatedFile: AnnotatedFileOptions

    @OptionGroup var metricsOptions: MetricsOptions

    @Argument(help: ArgumentHelp("A pcap-filter expression (see 'man pcap-filter'), e.g. 'tcp port 443'.", valueName: "filter"))
    var filterWords: [String] = []

    func validate() throws {
        if !(interval > 0) { throw ValidationError("--interval must be a positive number of seconds.") }
        if annotatedFile.writeFile?.isStandardOutput == true {
            throw ValidationError("top draws on the terminal: give -w a file.")
        }
        if !TerminalScreen.isAvailable {
            throw ValidationError("procscope top needs a terminal; for scripts and pipes use 'procscope capture' (or 'procscope audit').")
        }
    }

    func run() throws {
        let filter = filterWords.isEmpty ? nil : filterWords.joined(separator: " ")
        let signals = try SignalWatcher()
        let capture = try LiveCapture(interface: interface, filter: filter, snapLength: 256, bufferBytes: 64 << 20,
                                      signals: signals)
        for warning in capture.warnings { StandardError.line("procscope: warning: \(warning.message)") }
        if resolve { capture.reverseResolver = ReverseResolver() }
        // The view shows live conversations and per-process totals: ended ones are folded away.
        capture.session.retiresEndedConversations()
        let outputs = try CaptureOutputs(pcapng: annotatedFile, filter: owners.filter)
        outputs.attach(to: capture.session, linkType: capture.source.linkType, snapLength: capture.source.snapLength,
                       interface: interface, filter: filter)
        let metrics = try MetricsOutputs(metricsOptions)
        let screen = try TerminalScreen()
        defer { screen.close() }
        var state = TopState()
        // The last two snapshots: rates are their difference over the time between them.
        var current: CaptureReport?
        var previous: CaptureReport?
        var snapshotAt = Timestamp.zero
        var seconds = 1.0
        var rowIDs: [String] = []
        // The last minute of every row's rate, for the selected row's sparkline (one sample per snapshot).
        var history = TopHistory(capacity: max(2, Int((60 / interval).rounded())))
        var newSnapshot = false
        let every = Int64(interval * 1_000_000)
        let ownerFilter = owners.filter
        capture.onTurn = {
            outputs.turn(capture.session)
            metrics.turn(capture.session, drops: capture.source.drops())
            let (keys, resized) = screen.keys()
            for key in keys { TopKey.apply(key, to: &state, rows: rowIDs) }
            if state.quit || outputs.shouldStop || metrics.failure != nil { capture.requestStop() }
            let now = wallClockNow()
            let due = now.microseconds(since: snapshotAt) >= every
            guard due || !keys.isEmpty || resized else { return }
            if due && (!state.paused || current == nil) {
                previous = current
                current = capture.report().filtered(by: ownerFilter)
                seconds = snapshotAt == .zero ? 1 : Double(now.microseconds(since: snapshotAt)) / 1_000_000
                snapshotAt = now
                newSnapshot = previous != nil
            }
            guard let current else { return }
            let size = screen.size
            let view = TopView(current: current, previous: previous, seconds: seconds,
                               header: .init(interface: capture.source.name, filter: filter,
                                             packets: current.capture.packets, drops: current.capture.droppedByKernel),
                               state: state, width: size.width, height: size.height, history: history)
            if newSnapshot {
                history.record(view.rates)
                newSnapshot = false
            }
            rowIDs = view.rowIDs
            screen.draw(view.lines)
        }
        do {
            _ = try capture.run(until: StopCondition())
        } catch {
            outputs.finish(capture.session, capture: capture.report().capture)
            metrics.finish(capture.session, drops: capture.source.drops())
            throw error
        }
        outputs.finish(capture.session, capture: capture.report().capture)
        metrics.finish(capture.session, drops: capture.source.drops())
        // The screen is restored when `screen` goes; the failure is said after that, in words.
        try rethrowingOutputFailure(outputs.failure ?? metrics.failure)
    }
}
