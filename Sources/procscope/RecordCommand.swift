import ArgumentParser
import Foundation
import ProcscopeCore
import ProcscopeHistory
import ProcscopeLinux

/// `procscope record`: the long-running service. Captures as `capture` does, with memory bounded by what
/// is live, and keeps every conversation in the history database (`procscope history` asks it).
struct RecordCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Capture continuously and keep every conversation in a history database (SQLite).",
        discussion: """
        Runs in the foreground, as a systemd service runs it (contrib/procscope-record.service), logging to \
        stderr. Conversations are written once a second while they change and when they end, so a crash loses \
        at most the last second; a restart appends. SIGINT and SIGTERM write everything and exit; SIGHUP \
        does not stop it (nothing needs reopening: the metrics text file is replaced whole each time). -r FILE \
        records a capture file instead.

        Examples:
          sudo procscope record
          sudo procscope record --retain 30d --max-db-size 2G --metrics-listen 127.0.0.1:9464
          procscope history who --remote 203.0.113.7 --at '2026-12-01 02:14:00'
        """
    )

    @OptionGroup var source: CaptureSourceOptions
    @OptionGroup var database: DatabaseOption

    @Option(name: .long, help: ArgumentHelp("Roll up and delete conversations that ended longer ago than this (e.g. 30d, 12h).", valueName: "span"))
    var retain: SpanOption?

    @Option(name: .long, help: ArgumentHelp("Keep the database under this size, rolling up the oldest conversations (e.g. 2G, 500M).", valueName: "size"))
    var maxDbSize: SizeOption?

    @OptionGroup var metricsOptions: MetricsOptions

    func validate() throws {
        if source.dropUser != nil {
            throw ValidationError("-Z is for a capture that ends: record keeps creating database and metrics files as it runs. "
                                  + "Give the service its user and capabilities instead (contrib/procscope-record.service).")
        }
    }

    func run() throws {
        if try source.listedInterfaces() { return }
        let store = try HistoryStore(path: database.db, create: true)
        let writer = HistoryWriter(store: store, retention: .init(maxAgeMicros: retain?.micros, maxBytes: maxDbSize?.bytes))
        let recorder = HistoryRecorder(writer: writer)
        let metrics = try MetricsOutputs(metricsOptions)
        let signals = try SignalWatcher()
        signals.onHangup = {} // logrotate's SIGHUP must not stop a service; the text file is replaced whole anyway
        let stop = StopCondition(packetLimit: source.count, durationSeconds: source.duration)
        var failure: Error?
        writer.start()
        StandardError.line("recording into \(store.path)")
        if let path = source.readFile {
            let capture = try source.openFile(path)
            capture.session.retiresEndedConversations()
            recorder.follow(capture.session)
            capture.onBatch = {
                recorder.turn(capture.session)
                metrics.turn(capture.session, drops: (0, 0))
                if writer.failure != nil || metrics.failure != nil { capture.requestStop() }
            }
            do { _ = try capture.run(until: stop, signals: signals) } catch { failure = error }
            recorder.turn(capture.session, final: true)
            metrics.finish(capture.session, drops: (0, 0))
        } else {
            let capture = try source.openLive(signals: signals)
            capture.session.retiresEndedConversations()
            recorder.follow(capture.session)
            var lastTurn = Timestamp.zero
            capture.onTurn = {
                let now = wallClockNow()
                if now.microseconds(since: lastTurn) >= 1_000_000 {
                    lastTurn = now
                    recorder.turn(capture.session)
                }
                metrics.turn(capture.session, drops: capture.source.drops())
                if writer.failure != nil || metrics.failure != nil { capture.requestStop() }
            }
            do { _ = try capture.run(until: stop) } catch { failure = error }
            recorder.turn(capture.session, final: true)
            metrics.finish(capture.session, drops: capture.source.drops())
            let drops = capture.source.drops()
            StandardError.line("\(capture.session.counters.packets) packets captured\n\(drops.kernel) packets dropped by kernel")
        }
        writer.finish()
        StandardError.line("\(writer.written.load(ordering: .relaxed)) conversation rows written to \(store.path)")
        if let problem = writer.failure { throw problem }
        if let failure { throw CaptureFailure(underlying: failure) }
        try rethrowingOutputFailure(metrics.failure)
    }
}
