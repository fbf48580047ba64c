/// What went wrong with the history database, in terms the user can act on.
public struct HistoryError: Error, CustomStringConvertible {
    public let path: String
    public let problem: String

    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }

    public var description: String { "history database \(path): \(problem)" }

    /// A database error said with what to do about it.
    static func wrapping(_ error: Error, path: String, doing: String) -> HistoryError {
        let text = "\(error)"
        var hint = ""
        if text.contains("unable to open") || text.contains("readonly") || text.contains("permission") {
            hint = " (is the directory there and writable? give another with --db)"
        } else if text.contains("full") {
            hint = " (the file system is full: free space, or lower --retain / --max-db-size)"
        } else if text.contains("not a database") || text.contains("malformed") {
            hint = " (not a procscope history database, or damaged: give another --db)"
        }
        return HistoryError(path: path, problem: "\(doing) failed: \(text)\(hint)")
    }
}
