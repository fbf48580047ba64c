import ArgumentParser
import Foundation
import ProcscopeCore
import ProcscopeLinux

/// `procscope audit`: one line per packet, tcpdump-like, followed by the process that sent or received it.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "List every packet with the process that sent or received it.",
        discussion: """
        Each line: time (UTC), interface, direction (out, in, local for loopback, fwd), protocol, \
        source > destination, IP length, then pid/program (sender > receiver on loopback) or \
        <Unknown: reason>. Lines follow capture order; a packet waits for its owner's lookup (at most 1 s).

        Examples:
          procscope audit -i lo tcp port 8080
          procscope audit --json -c 100 | jq 'select(.owners == [])'
          procscope audit -r trace.pcapng
          procscope audit -i any -w audit.pcapng udp port 53
        """
    )

    @OptionGroup var source: CaptureSourceOptions
    @OptionGroup var owners: OwnerFilterOptions

    @Flag(name: .long, help: "Print one JSON object per packet instead of a line.")
    var json = false

    @Flag(name: .customShort("v"), help: "End each line with what is known of its owners, as tcpdump -v adds fields: user, executable, parent, container, unit; why for an unknown side; the remote end's name from captured DNS answers.")
    var verbosity: Int

    @OptionGroup var annotatedFile: AnnotatedFileOptions

    func validate() throws {
        if annotatedFile.writeFile?.isStandardOutput == true {
            throw ValidationError("audit prints its listing on standard output: give -w a file.")
        }
    }

    func run() throws {
        if try source.listedInterfaces() { return }
        let signals = try SignalWatcher()
        let stop = StopCondition(packetLimit: source.count, durationSeconds: source.duration)
        var failure: Error?
        let outputs = try CaptureOutputs(pcapng: annotatedFile, filter: owners.filter, precision: source.precision)
        // SIGHUP (logrotate) reopens the files written as the capture runs; with none, it stops the capture.
        if outputs.writesFiles { signals.onHangup = { outputs.reopen() } }
        let listing = Listing()
        if let path = source.readFile {
            let capture = try source.openFile(path)
            // A file procscope wrote (-w) is replayed with its owners. Without its tables (cut before the
            // first one, or written by an older procscope), each packet's comment still names them; a file
            // from macOS tcpdump -k names them in Apple's process blocks.
            let file = capture.annotations == nil ? capture.source as? CaptureFileSource : nil
            capture.readsFrameComments = file != nil
            let recorded = capture.annotations?.capture?.interfaces.first
            // One line per packet and no document at the end: ended conversations are folded away.
            if capture.annotations == nil { capture.session.retiresEndedConversations() }
            let log = attach(to: capture.session, names: InterfaceNames(fallback: recorded ?? "-")) {
                file?.currentRecordedOwner
            }
            outputs.attach(to: capture.session, linkType: capture.source.linkType,
                           snapLength: capture.source.snapLength, interface: path, filter: source.filter)
            capture.onBatch = {
                listing.write(log.drain(capture.session, now: wallClockNow()))
                outputs.turn(capture.session)
                if listing.failure != nil || outputs.shouldStop { capture.requestStop() }
            }
            do { _ = try capture.run(until: stop, signals: signals) } catch { failure = error }
            listing.write(log.drain(capture.session, now: wallClockNow(), force: true))
            outputs.finish(capture.session, capture: capture.report().capture)
        } else {
            let capture = try source.openLive(signals: signals,
                                              laterFiles: [("the next -w file", annotatedFile.rotatingFile)])
            capture.session.retiresEndedConversations()
            let log = attach(to: capture.session, names: InterfaceNames(fallback: capture.interfaces.device))
            outputs.attach(to: capture.session, linkType: capture.source.linkType,
                           snapLength: capture.source.snapLength, interface: capture.interfaces.device, filter: capture.interfaces.kernelFilter)
            capture.onTurn = {
                listing.write(log.drain(capture.session, now: wallClockNow()))
                outputs.turn(capture.session)
                if listing.failure != nil || outputs.shouldStop { capture.requestStop() }
            }
            do { _ = try capture.run(until: stop) } catch { failure = error }
            listing.write(log.drain(capture.session, now: wallClockNow(), force: true))
            outputs.finish(capture.session, capture: capture.report().capture)
        }
        let outputFailure = listing.failure ?? outputs.failure
        try endRun(captureFailure: failure, outputFailure: outputFailure)
    }

    /// Lists every packet the session counts; `annotation` gives the owners a file names for the current one.
    private func attach(to session: CaptureSession, names: InterfaceNames,
                        annotation: @escaping () -> String? = { nil }) -> AuditLog {
        let log = AuditLog(json: json, verbose: verbosity > 0, nanoseconds: source.precision == .nano,
                           filter: owners.filter, interfaceName: names.name)
        session.packetObserver = { record in
            var record = record
            record.annotation = annotation()
            log.append(record)
        }
        return log
    }

    /// The listing on standard output; after a failed write (the reader closed the pipe) nothing more.
    private final class Listing {
        private(set) var failure: OutputFailure?

        func write(_ bytes: [UInt8]) {
            guard !bytes.isEmpty, failure == nil else { return }
            do { try OutputFailure.standardOutput(bytes) } catch { failure = error as? OutputFailure }
        }
    }
}
