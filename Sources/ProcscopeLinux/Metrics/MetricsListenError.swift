import Glibc

/// Why `--metrics-listen` could not listen, in terms the user can act on.
public struct MetricsListenError: Error, CustomStringConvertible {
    public let address: String
    public let call: String
    public let errno: Int32

    public var description: String {
        switch errno {
        case EADDRINUSE:
            return "cannot serve metrics on \(address): the port is in use (another exporter, or another procscope?); "
                + "give --metrics-listen a free port"
        case EADDRNOTAVAIL:
            return "cannot serve metrics on \(address): no interface of this network namespace has that address"
        case EACCES, EPERM:
            return "cannot serve metrics on \(address): ports below 1024 need cap_net_bind_service; choose a port "
                + "above 1024 (9464 is the usual one for procscope)"
        default:
            return "cannot serve metrics on \(address): \(call) failed: \(String(cString: strerror(errno)))"
        }
    }
}
