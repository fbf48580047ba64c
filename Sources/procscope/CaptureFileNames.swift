import Glibc

/// The names of `-w` files when `-C`, `-G` and `-W` rotate them, made as tcpdump makes them (its
/// `MakeFilename`): with `-G` the name given is a strftime(3) format, expanded at the start of each period in
/// local time; with `-C`, a count is appended when it is not the first file, or always when `-W` is given,
/// zero-padded to as many digits as `-W`'s largest count needs (`-W 10`: 0 to 9; `-W 100`: 00 to 99). With
/// `-G` alone there is no count (checked against Debian 12's tcpdump 4.99: `-G 1 -W 3 -w t-%H%M%S` made
/// t-074811, t-074812, t-074813).
struct CaptureFileNames: Equatable {
    let template: String
    /// Whether the template is a strftime format (`-G`).
    let timed: Bool
    /// Digits the count is padded to (0 without `-W`, or without `-C`).
    let digits: Int

    init(template: String, timed: Bool, sized: Bool, fileCount: Int?) {
        self.template = template
        self.timed = timed
        digits = sized ? fileCount.map(Self.digits(for:)) ?? 0 : 0
    }

    /// tcpdump's `getWflagChars`: the digits of `count - 1`.
    static func digits(for count: Int) -> Int {
        var remaining = count - 1, digits = 0
        while remaining > 0 {
            digits += 1
            remaining /= 10
        }
        return digits
    }

    /// The name of file number `count` (from 0) of the period that began at `time` (seconds since the epoch).
    func name(count: Int, at time: Int) -> String {
        let base = timed ? Self.expand(template, at: time) : template
        if count == 0 && digits == 0 { return base }
        let number = String(count)
        return base + String(repeating: "0", count: max(0, digits - number.count)) + number
    }

    /// strftime(3) in local time; a format that expands to nothing (or past PATH_MAX) is kept as given.
    static func expand(_ format: String, at time: Int) -> String {
        var seconds = time_t(time)
        var parts = tm()
        guard localtime_r(&seconds, &parts) != nil else { return format }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = strftime(&buffer, buffer.count, format, &parts)
        guard length > 0 else { return format }
        return String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
