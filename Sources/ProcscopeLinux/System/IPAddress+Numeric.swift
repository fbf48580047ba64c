import Glibc
import ProcscopeCore

extension IPAddress {
    /// A numeric IPv4 or IPv6 address as people and /proc print them (inet_pton: no name is looked up).
    public init?(numeric text: String) {
        var bytes = [UInt8](repeating: 0, count: 16)
        if inet_pton(AF_INET, text, &bytes) == 1 {
            self.init(bytes: bytes.prefix(4))
        } else if inet_pton(AF_INET6, text, &bytes) == 1 {
            self.init(bytes: bytes)
        } else {
            return nil
        }
    }
}
