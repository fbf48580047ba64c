/// What a client of `--metrics-listen` sends: anyone who can reach the port can send any bytes, and the
/// answer must always be a well-formed response (a status line, a Content-Length that matches the body).
enum MetricsRequestTarget {
    static func run(_ input: UnsafeRawBufferPointer) {
        let request = Array(input)
        _ = MetricsRequest.isComplete(request)
        let response = MetricsRequest.response(to: request, metrics: { Array("m 1\n".utf8) })
        guard response.starts(with: Array("HTTP/1.1 ".utf8)),
              let headEnd = (0..<max(0, response.count - 3)).first(where: { response[$0..<$0 + 4].elementsEqual([13, 10, 13, 10]) })
        else { fatalError("malformed response to \(request.count) bytes") }
        let head = String(decoding: response[..<headEnd], as: UTF8.self), body = response[(headEnd + 4)...]
        let length = head.split(separator: "\r\n").first { $0.hasPrefix("Content-Length: ") }
            .flatMap { Int($0.dropFirst("Content-Length: ".count)) }
        // HEAD answers carry the length of the body they leave out.
        guard let length, body.count == length || body.isEmpty else {
            fatalError("Content-Length and body disagree (\(body.count) bytes)")
        }
    }
}
