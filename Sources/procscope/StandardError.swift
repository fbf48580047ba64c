import Foundation

/// Status lines for the user go to stderr, like tcpdump's, so stdout stays clean for data.
enum StandardError {
    static func line(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
