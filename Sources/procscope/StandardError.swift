import Glibc

/// Status lines for the user go to stderr, like tcpdump's, so stdout stays clean for data.
enum StandardError {
    /// A failure to write here (a closed or full stderr) cannot be told to anyone: it is ignored, never a crash.
    static func line(_ text: String) {
        try? OutputFailure.writeAll(2, Array((text + "\n").utf8), output: "standard error")
    }
}
