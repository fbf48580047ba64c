import ArgumentParser
import Foundation
import ProcscopeCore
import ProcscopeLinux

/// `procscope sockets`: the socket-ownership table procscope attributes from, in every network namespace.
struct SocketsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sockets",
        abstract: "List every socket (TCP, UDP, UDP-Lite, SCTP, raw, ping, packet) in every network namespace, with its owners.",
        discussion: """
        OWNERS is pid/program, several for a socket shared across fork.

        Examples:
          procscope sockets
          procscope sockets --json | jq '.sockets[] | select(.kind == "ping")'
        """
    )

    @Flag(name: .long, help: "Print JSON (schema procscope-sockets/1) instead of the table.")
    var json = false

    func run() throws {
        var inventory = SocketInventory()
        let listing = SocketListing(inventory.collect())
        for warning in inventory.warnings { StandardError.line("procscope: warning: \(warning)") }
        for note in inventory.notes { StandardError.line("procscope: note: \(note)") }
        do {
            try OutputFailure.standardOutput(json ? listing.json : Array(listing.text.utf8))
        } catch let failure as OutputFailure {
            try rethrowingOutputFailure(failure)
        }
    }
}
