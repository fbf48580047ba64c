/// What a per-process metric is labelled with: the program and the user, never a PID, port, address or
/// command line (every short-lived client would become a series of its own, and Prometheus keeps each
/// series for weeks).
public struct ProgramSeriesKey: Hashable, Sendable {
    public var program: String
    public var user: String

    public init(program: String, user: String) {
        self.program = program
        self.user = user
    }

    /// The series a process counts in: its executable's file name (the full name, where the kernel's comm
    /// is cut at 15 characters), else its comm; its user's name, else its uid.
    public init(_ identity: ProcessIdentity) {
        let executable = identity.executable.flatMap { path in path.split(separator: "/").last.map(String.init) }
        program = executable.flatMap { $0.isEmpty ? nil : $0 } ?? identity.name
        user = identity.userName ?? String(identity.uid)
    }

    /// Where programs beyond the series cap are counted together.
    public static let other = ProgramSeriesKey(program: "other", user: "other")
}
