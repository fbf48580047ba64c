/// The HTTP side of the metrics endpoint, without sockets: whether a request has arrived whole, and the
/// response it gets. `GET /metrics` (any query string) answers the metrics; `/` a pointer to them; any other
/// path 404; methods other than GET and HEAD 405; anything unparsable 400. Every response closes the
/// connection.
public enum MetricsRequest {
    /// Requests longer than this are answered 400 (a scrape's request is some 200 bytes).
    public static let maximumLength = 8192

    /// Whether `bytes` holds a request's whole head (a blank line ends it; a scrape has no body).
    public static func isComplete(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 4 else { return false }
        for index in 3..<bytes.count where bytes[index] == 10 {
            if bytes[index - 1] == 10 || (bytes[index - 1] == 13 && bytes[index - 2] == 10) { return true }
        }
        return false
    }

    public static func response(to request: [UInt8], metrics: () -> [UInt8]) -> [UInt8] {
        guard isComplete(request), let lineEnd = request.firstIndex(of: 10) else {
            return reply(400, "Bad Request", "a request line and headers ending in a blank line were expected\n", head: false)
        }
        let line = request[..<lineEnd].split(separator: 32, omittingEmptySubsequences: true)
        guard line.count == 3, line[2].starts(with: Array("HTTP/1.".utf8)) else {
            return reply(400, "Bad Request", "expected: METHOD PATH HTTP/1.x\n", head: false)
        }
        let method = String(decoding: line[0], as: UTF8.self)
        guard method == "GET" || method == "HEAD" else {
            return reply(405, "Method Not Allowed", "only GET and HEAD are served\n", head: false, extra: "Allow: GET, HEAD\r\n")
        }
        let head = method == "HEAD"
        let path = line[1].split(separator: UInt8(ascii: "?"), maxSplits: 1, omittingEmptySubsequences: false).first ?? []
        switch String(decoding: path, as: UTF8.self) {
        case "/metrics":
            return reply(200, "OK", metrics(), head: head, contentType: PrometheusText.contentType)
        case "/":
            return reply(200, "OK", "procscope: per-process network metrics at /metrics\n", head: head)
        default:
            return reply(404, "Not Found", "not found: metrics are at /metrics\n", head: head)
        }
    }

    private static func reply(_ status: Int, _ reason: String, _ body: String, head: Bool, extra: String = "") -> [UInt8] {
        reply(status, reason, Array(body.utf8), head: head, contentType: "text/plain; charset=utf-8", extra: extra)
    }

    private static func reply(_ status: Int, _ reason: String, _ body: [UInt8], head: Bool, contentType: String,
                              extra: String = "") -> [UInt8] {
        var out = Array("HTTP/1.1 \(status) \(reason)\r\nContent-Type: \(contentType)\r\nContent-Length: \(body.count)\r\n\(extra)Connection: close\r\n\r\n".utf8)
        if !head { out += body }
        return out
    }
}
