import ArgumentParser
import ProcscopeCore
import ProcscopeHistory

/// `--db`: shared by `record` and `history`.
struct DatabaseOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The history database (SQLite).", valueName: "file"))
    var db: String = HistoryStore.defaultPath
}

/// A span of time as `--retain` takes it: `30d`, `12h`, `90m`, `2w`.
struct SpanOption: ExpressibleByArgument {
    let micros: Int64

    init?(argument: String) {
        let now = Timestamp(microseconds: 0)
        guard !argument.hasPrefix("-"), argument != "now", Timestamp(rfc3339: argument) == nil,
              let ago = Timestamp(moment: argument, now: now), ago.microseconds < 0 else { return nil }
        micros = -ago.microseconds
    }

    static var defaultValueDescription: String { "span" }
}

/// A size as `--max-db-size` takes it: bytes, or with K, M, G or T (powers of 1024).
struct SizeOption: ExpressibleByArgument {
    let bytes: Int64

    init?(argument: String) {
        let text = argument.uppercased().replacingOccurrences(of: "IB", with: "").replacingOccurrences(of: "B", with: "")
        let units: [Character: Int64] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40]
        if let last = text.last, let unit = units[last] {
            guard let value = Double(text.dropLast()), value > 0, value * Double(unit) < 9e18 else { return nil }
            bytes = Int64(value * Double(unit))
        } else {
            guard let value = Int64(text), value > 0 else { return nil }
            bytes = value
        }
        guard bytes >= 1 << 20 else { return nil } // below a MiB, retention would delete what it just wrote
    }
}

/// A moment as `--at`, `--since` and `--until` take it: RFC 3339, `now`, or a time ago (`-1h`, `2d`).
struct MomentOption: ExpressibleByArgument {
    let text: String

    init?(argument: String) {
        guard Timestamp(moment: argument, now: Timestamp(microseconds: 0)) != nil else { return nil }
        text = argument
    }

    func resolve(now: Timestamp) -> Timestamp { Timestamp(moment: text, now: now) ?? now }
}
