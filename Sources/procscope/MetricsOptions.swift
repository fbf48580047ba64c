import ArgumentParser
import ProcscopeCore
import ProcscopeLinux

/// Prometheus metrics while capturing: served over HTTP, written for node_exporter's textfile collector, or
/// both. Shared by `capture` and `top`.
struct MetricsOptions: ParsableArguments {
    @Option(name: .customLong("metrics-listen"),
            help: ArgumentHelp("Serve Prometheus metrics at http://ADDRESS:PORT/metrics (e.g. 127.0.0.1:9464, [::1]:9464, :9464 for every address).", valueName: "address:port"))
    var listen: MetricsListenAddress?

    @Option(name: .customLong("metrics-textfile"),
            help: ArgumentHelp("Write the same metrics to this file every 5 s and at the end (for node_exporter's textfile collector; written whole, through a rename).", valueName: "file"))
    var textFile: String?

    @Option(name: .customLong("metrics-max-programs"),
            help: ArgumentHelp("Programs that get series of their own; later ones are counted under program=\"other\".", valueName: "count"))
    var maxPrograms: Int = 500

    var isEnabled: Bool { listen != nil || textFile != nil }

    func validate() throws {
        if maxPrograms < 1 { throw ValidationError("--metrics-max-programs must be at least 1.") }
        if textFile == "-" || textFile?.isEmpty == true {
            throw ValidationError("--metrics-textfile needs a file path (node_exporter reads *.prom files from a directory).")
        }
    }
}

/// `--metrics-listen`'s value: a numeric address and a port (`:PORT` for every address). Names are not
/// resolved (no lookup is sent unless asked), except `localhost`.
struct MetricsListenAddress: ExpressibleByArgument {
    let host: IPAddress
    let port: UInt16
    let text: String

    init?(argument: String) {
        text = argument
        guard let (hostPart, portPart) = splitHostPort(argument), let portPart, let port = UInt16(portPart) else {
            return nil
        }
        switch hostPart {
        case "": host = .ipv6Any
        case "localhost": host = .ipv4Loopback
        default:
            guard let numeric = IPAddress(numeric: String(hostPart)) else { return nil }
            host = numeric
        }
        self.port = port
    }

    static var defaultValueDescription: String { "address:port" }
}
