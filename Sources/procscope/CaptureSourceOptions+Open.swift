import Foundation
import ProcscopeCore
import ProcscopeLinux

extension CaptureSourceOptions {
    /// The interfaces captured live (`any` unless -i says otherwise; a number is the -D list's).
    var liveInterfaces: [String] {
        guard !interface.isEmpty else { return ["any"] }
        let devices = interface.contains { Int($0) != nil } ? (try? PcapCaptureSource.interfaces()) ?? [] : []
        return interface.map { name in
            if let number = Int(name), number >= 1, number <= devices.count { return devices[number - 1].name }
            return name
        }
    }


    /// With -D: prints the interfaces as tcpdump -D does and says the command is done.
    func listedInterfaces() throws -> Bool {
        guard listInterfaces else { return false }
        var text = ""
        for (number, device) in try PcapCaptureSource.interfaces().enumerated() {
            text += "\(number + 1).\(device.name)" + (device.description.map { " (\($0))" } ?? "")
            text += " [\(device.flags.isEmpty ? "none" : device.flags.joined(separator: ", "))]"
            text += "\n"
        }
        try OutputFailure.standardOutput(Array(text.utf8))
        return true
    }

    /// Opens the file of -r, saying so on stderr as tcpdump does.
    func openFile(_ path: String) throws -> FileCapture {
        let capture = try FileCapture(path: path, filter: filter)
        capture.session.limitLiveConversations(to: maxFlows)
        capture.session.warn = { StandardError.line("procscope: warning: \($0)") }
        StandardError.line("reading from file \(path), link-type \(capture.source.linkType.pcapName), snapshot length \(capture.source.snapLength)")
        return capture
    }

    /// Opens the live capture, printing its setup warnings and tcpdump's "listening on" line (tests and
    /// scripts wait for it: capturing has started). With -Z the switch is checked first (the user exists,
    /// procscope may switch, and can create `laterFiles` there: (what, path) of each file made after it).
    func openLive(signals: SignalWatcher, laterFiles: [(String, OutputTarget?)] = []) throws -> LiveCapture {
        let drop = try dropUser.map { user in
            let drop = try PrivilegeDrop(user: user)
            try drop.checkPermitted()
            for case let (what, target?) in laterFiles where !target.isStandardOutput {
                let directory = (target.path as NSString).deletingLastPathComponent
                guard drop.mayCreateFiles(in: directory) else {
                    throw PrivilegeDropError.cannotCreateFiles(user: drop.user, what: what,
                                                               directory: directory.isEmpty ? "." : directory)
                }
            }
            return drop
        }
        let selection = try InterfaceSelection(liveInterfaces, filter: filter)
        let capture = try LiveCapture(interfaces: selection, filter: filter, snapLength: effectiveSnapLength,
                                      bufferBytes: bufferKiB * 1024, direction: direction, precision: precision,
                                      signals: signals)
        for warning in capture.warnings { StandardError.line("procscope: warning: \(warning.message)") }
        capture.session.limitLiveConversations(to: maxFlows)
        capture.session.warn = { StandardError.line("procscope: warning: \($0)") }
        capture.privilegeDrop = drop
        if resolve { capture.reverseResolver = ReverseResolver() }
        let through = selection.names.count > 1 ? " (through \(selection.device))" : ""
        StandardError.line("listening on \(selection.description)\(through), link-type \(capture.source.linkType.pcapName), snapshot length \(capture.source.snapLength) bytes")
        return capture
    }
}
