extension Timestamp {
    /// Parses RFC 3339 as people type it: `2026-12-01T02:14:00Z`, with a fraction of a second, with an offset
    /// (`+01:00`), with a space for the `T`, or a date alone (midnight UTC). A time without an offset is
    /// UTC. Nil for anything else (a month 13, a day 32, letters).
    public init?(rfc3339 text: String) {
        let bytes = Array(text.utf8)
        var index = 0
        func number(_ digits: Int) -> Int64? {
            guard index + digits <= bytes.count else { return nil }
            var value: Int64 = 0
            for byte in bytes[index..<(index + digits)] {
                guard (48...57).contains(byte) else { return nil }
                value = value * 10 + Int64(byte - 48)
            }
            index += digits
            return value
        }
        func expect(_ character: Character) -> Bool {
            guard index < bytes.count, bytes[index] == character.asciiValue else { return false }
            index += 1
            return true
        }
        guard let year = number(4), expect("-"), let month = number(2), expect("-"), let day = number(2),
              (1...12).contains(month), (1...31).contains(day) else { return nil }
        var seconds = Self.daysSinceEpoch(year: year, month: month, day: day) * 86_400
        var micros: Int64 = 0
        if index < bytes.count {
            guard expect("T") || expect("t") || expect(" "), let hour = number(2), expect(":"), let minute = number(2),
                  expect(":"), let second = number(2), hour < 24, minute < 60, second < 61 else { return nil }
            seconds += hour * 3600 + minute * 60 + second
            if expect(".") {
                var digits = 0
                while index < bytes.count, (48...57).contains(bytes[index]) {
                    if digits < 6 { micros = micros * 10 + Int64(bytes[index] - 48) }
                    digits += 1
                    index += 1
                }
                guard digits > 0 else { return nil }
                for _ in digits..<6 where digits < 6 { micros *= 10 }
            }
            if expect("Z") || expect("z") {
                // UTC
            } else if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                let sign: Int64 = bytes[index] == UInt8(ascii: "+") ? 1 : -1
                index += 1
                guard let hours = number(2), expect(":"), let minutes = number(2), hours < 24, minutes < 60 else { return nil }
                seconds -= sign * (hours * 3600 + minutes * 60)
            }
        }
        guard index == bytes.count else { return nil }
        self.init(seconds: seconds, microseconds: micros)
    }

    /// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
    static func daysSinceEpoch(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// A moment as the history commands take it: RFC 3339 (`Timestamp(rfc3339:)`), `now`, or a time ago
    /// (`-1h`, `1h`, `90m`, `2d`, `30s`: each means that long before `now`).
    public init?(moment text: String, now: Timestamp) {
        if text == "now" {
            self = now
            return
        }
        if let parsed = Timestamp(rfc3339: text) {
            self = parsed
            return
        }
        var body = Substring(text)
        if body.hasPrefix("-") { body = body.dropFirst() }
        guard let unit = body.last, let amount = Int64(body.dropLast()), amount >= 0 else { return nil }
        let seconds: Int64
        switch unit {
        case "s": seconds = amount
        case "m": seconds = amount * 60
        case "h": seconds = amount * 3600
        case "d": seconds = amount * 86_400
        case "w": seconds = amount * 604_800
        default: return nil
        }
        guard seconds < 100 * 365 * 86_400 else { return nil }
        self.init(microseconds: now.microseconds - seconds * 1_000_000)
    }
}
