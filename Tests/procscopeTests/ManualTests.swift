import ArgumentParser
import Foundation
@testable import procscope
import Testing

/// The man page in the repository (man/procscope.1) says what --help says: every command and option.
@Suite struct ManualTests {
    static let manual = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("man/procscope.1")

    @Test("Every command's abstract and every long option are in man/procscope.1 (regenerate: Scripts/make-manual.sh)",
          arguments: [TopCommand.self, CaptureCommand.self, AuditCommand.self, SocketsCommand.self] as [ParsableCommand.Type])
    func manualDocumentsTheCommand(_ command: ParsableCommand.Type) throws {
        let manual = try String(contentsOf: Self.manual, encoding: .utf8)
        #expect(manual.contains(command.configuration.abstract))
        // Every "--name" the help text shows (options and the examples that use them).
        let help = Procscope.helpMessage(for: command, columns: 100)
        let options = Set(help.split(whereSeparator: { " ,[]\n".contains($0) }).compactMap { word -> String? in
            guard word.hasPrefix("--"), word.count > 2, word.dropFirst(2).allSatisfy({ $0.isLetter || $0 == "-" }) else { return nil }
            return String(word.dropFirst(2))
        })
        #expect(options.contains("help"))
        for option in options {
            #expect(manual.contains("Fl -\(option)") || manual.contains(", -\(option)"), "--\(option) is not in the manual")
        }
    }
}
