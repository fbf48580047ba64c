/// Process names and command lines are chosen by whoever started the process: before they reach a terminal,
/// control and escape characters are replaced so they cannot move the cursor, recolour or retitle it.
public enum TerminalSafe {
    public static func text(_ value: String) -> String {
        var out = ""
        out.unicodeScalars.reserveCapacity(value.unicodeScalars.count)
        for scalar in value.unicodeScalars {
            let v = scalar.value
            if v < 0x20 || (v >= 0x7F && v < 0xA0) || v == 0x2028 || v == 0x2029 {
                out.unicodeScalars.append("?")
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
