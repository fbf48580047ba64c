import ArgumentParser
import Foundation
import ProcscopeCore
import ProcscopeLinux

/// `procscope capture`: non-interactive capture that prints a per-process summary at the end and writes
/// the JSON export; on -c, --duration, SIGINT or SIGTERM it writes everything it has, completely.
struct CaptureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "capture",
        abstract: "Capture, attribute frames to processes, and print a per-process summary.",
        discussion: """
        Examples:
          procscope capture --duration 10         (all interfaces, 10 s)
          procscope capture -i lo --json out.json tcp
          procscope capture -r trace.pcapng --json -
          procscope capture --ndjson - --interval 5 | jq -c 'select(.owner.name == "curl")'
          procscope capture -i eth0 -w annotated.pcapng --duration 60
          procscope capture --quiet --metrics-listen 127.0.0.1:9464   (Prometheus scrapes /metrics)

        SIGINT and SIGTERM stop the capture and write everything; SIGHUP reopens the --ndjson and -w files \
        (logrotate).
        """
    )

    @OptionGroup var source: CaptureSourceOptions
    @OptionGroup var owners: OwnerFilterOptions

    @Option(name: .long, help: ArgumentHelp("Write the JSON export (schema procscope/2) to this file, or '-' for stdout.", valueName: "file"))
    var json: OutputTarget?

    @Option(name: .long, help: ArgumentHelp("Stream one JSON line per conversation as it changes, ends (closed, or expired after 5 min of silence) and at the end, to this file or '-'.", valueName: "file"))
    var ndjson: OutputTarget?

    @OptionGroup var annotatedFile: AnnotatedFileOptions

    @OptionGroup var metricsOptions: MetricsOptions

    @Option(name: .long, help: ArgumentHelp("Seconds between --ndjson updates.", valueName: "seconds"))
    var interval: Double = 1

    @Flag(name: .long, help: "Do not print the summary table.")
    var quiet = false

    @Flag(name: .customShort("v"), help: "After the summary table, a line per process with its user, executable, parent, container and unit (as tcpdump -v adds detail).")
    var verbosity: Int

    func validate() throws {
        if !(interval > 0) { throw ValidationError("--interval must be a positive number of seconds.") }
        let toStandardOutput = [json, ndjson, annotatedFile.writeFile].compactMap { $0 }.filter(\.isStandardOutput).count
        if toStandardOutput > 1 {
            throw ValidationError("only one of --json, --ndjson and -w can write to standard output ('-'): give the others a file.")
        }
    }

    func run() throws {
        if try source.listedInterfaces() { return }
        let signals = try SignalWatcher()
        let stop = StopCondition(packetLimit: source.count, durationSeconds: source.duration)
        let report: CaptureReport
        var failure: Error?
        let outputs = try CaptureOutputs(ndjson: ndjson, pcapng: annotatedFile, interval: interval, filter: owners.filter,
                                         precision: source.precision)
        let metrics = try MetricsOutputs(metricsOptions)
        // SIGHUP (logrotate) reopens the files written as the capture runs; with none, it stops the capture.
        if outputs.writesFiles { signals.onHangup = { outputs.reopen() } }
        if let path = source.readFile {
            let capture = try source.openFile(path)
            // Without a JSON document, which lists every conversation, ended ones are folded away.
            if json == nil && capture.annotations == nil { capture.session.retiresEndedConversations() }
            outputs.attach(to: capture.session, linkType: capture.source.linkType, snapLength: capture.source.snapLength,
                           interface: path, filter: source.filter)
            capture.onBatch = {
                outputs.turn(capture.session)
                metrics.turn(capture.session, drops: (0, 0))
                if outputs.shouldStop || metrics.failure != nil { capture.requestStop() }
            }
            do { _ = try capture.run(until: stop, signals: signals) } catch { failure = error }
            report = capture.report(listing: .slots) // the capture has ended
            outputs.finish(capture.session, capture: report.capture)
            metrics.finish(capture.session, drops: (0, 0))
        } else {
            let capture = try source.openLive(signals: signals, laterFiles: [
                ("the --json document", json), ("the next -w file", annotatedFile.rotatingFile)])
            if json == nil { capture.session.retiresEndedConversations() }
            outputs.attach(to: capture.session, linkType: capture.source.linkType, snapLength: capture.source.snapLength,
                           interface: capture.interfaces.device, filter: capture.interfaces.kernelFilter)
            capture.onTurn = {
                outputs.turn(capture.session)
                metrics.turn(capture.session, drops: capture.source.drops())
                if outputs.shouldStop || metrics.failure != nil { capture.requestStop() }
            }
            do { _ = try capture.run(until: stop) } catch { failure = error }
            report = capture.report(listing: .slots) // the capture has ended
            outputs.finish(capture.session, capture: report.capture)
            metrics.finish(capture.session, drops: capture.source.drops())
            StandardError.line("\(report.capture.packets) packets captured\n\(capture.source.receivedByFilter()) packets received by filter\n\(report.capture.droppedByKernel) packets dropped by kernel")
            if capture.source.switches > 0 {
                StandardError.line("capture switched between immediate and buffered delivery \(capture.source.switches) times (floods are captured buffered)")
            }
            for problem in capture.source.switchFailures {
                StandardError.line("procscope: warning: could not switch capture mode during a flood: \(problem)")
            }
        }
        // Written whatever failed during the capture: each output is finished where it still can be.
        let written = write(report.filtered(by: owners.filter))
        let outputFailure = outputs.failure ?? metrics.failure ?? written
        try endRun(captureFailure: failure, outputFailure: outputFailure)
    }

    /// The JSON document and the summary, each written as far as it can be: the first failure is returned.
    private func write(_ report: CaptureReport) -> OutputFailure? {
        var failure: OutputFailure?
        if let json {
            do { try json.stream { sink in try report.writeJSON(to: sink, jobs: .processors) } } catch { failure = error as? OutputFailure }
        }
        if !quiet {
            let summary = Array(SummaryTable(report, verbose: verbosity > 0).text.utf8)
            if json?.isStandardOutput == true {
                StandardError.line(String(decoding: summary.dropLast(), as: UTF8.self))
            } else {
                do { try OutputFailure.standardOutput(summary) } catch { failure = failure ?? error as? OutputFailure }
            }
        }
        return failure
    }
}

/// A capture that ended in an error after its results were written.
struct CaptureFailure: Error, CustomStringConvertible {
    let underlying: Error
    var description: String { "\(underlying) (everything captured before the error was written)" }
}
