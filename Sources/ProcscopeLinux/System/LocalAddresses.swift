import Glibc
import ProcscopeCore

/// The addresses of this network namespace's interfaces (getifaddrs), which decide a frame's direction.
public enum LocalAddresses {
    public static func current() throws -> LocalAddressSet {
        var list: UnsafeMutablePointer<ifaddrs>?
        try retryingSystemCall("getifaddrs") { getifaddrs(&list) }
        defer { freeifaddrs(list) }
        var addresses: [IPAddress] = []
        var node = list
        while let current = node {
            if let address = current.pointee.ifa_addr {
                switch Int32(address.pointee.sa_family) {
                case AF_INET:
                    address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                        addresses.append(IPAddress(ipv4: UInt32(bigEndian: $0.pointee.sin_addr.s_addr)))
                    }
                case AF_INET6:
                    address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                        let bytes = withUnsafeBytes(of: $0.pointee.sin6_addr) { Array($0) }
                        if let parsed = IPAddress(bytes: bytes) { addresses.append(parsed) }
                    }
                default:
                    break
                }
            }
            node = current.pointee.ifa_next
        }
        return LocalAddressSet(addresses)
    }
}
