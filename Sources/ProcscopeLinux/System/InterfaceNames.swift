import Glibc

/// Interface names by kernel index (if_indextoname), cached: cooked `any` captures carry the index.
public final class InterfaceNames {
    private var names: [UInt32: String] = [:]
    /// The name for index 0 (captures whose link layer does not say: the interface captured on).
    private let fallback: String

    public init(fallback: String) {
        self.fallback = fallback
    }

    public func name(_ index: UInt32) -> String {
        guard index != 0 else { return fallback }
        if let known = names[index] { return known }
        var buffer = [CChar](repeating: 0, count: Int(IF_NAMESIZE) + 1)
        let name = if_indextoname(index, &buffer) != nil
            ? buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) } : "if\(index)"
        names[index] = name
        return name
    }
}
