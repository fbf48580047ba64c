/// `ADDRESS:PORT` as the options that take an endpoint write it: `1.2.3.4:53`, `[::1]:53`, or the address
/// alone (`1.2.3.4`, `::1`, `[::1]`: an IPv6 address without brackets has no port). Nil when brackets do
/// not close or something follows them other than `:PORT`. The port is the text after the colon, unchecked.
func splitHostPort(_ text: String) -> (host: Substring, port: Substring?)? {
    if text.hasPrefix("[") {
        guard let close = text.firstIndex(of: "]") else { return nil }
        let rest = text[text.index(after: close)...]
        guard rest.isEmpty || rest.hasPrefix(":") else { return nil }
        return (text[text.index(after: text.startIndex)..<close], rest.isEmpty ? nil : rest.dropFirst())
    }
    if text.filter({ $0 == ":" }).count == 1, let colon = text.firstIndex(of: ":") {
        return (text[..<colon], text[text.index(after: colon)...])
    }
    return (Substring(text), nil)
}
