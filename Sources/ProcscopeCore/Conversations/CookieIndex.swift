/// Conversations by the socket cookie they were credited through: a close or a change of hands names only
/// the cookie. Nearly every socket has one conversation (a TCP connection, a connected UDP socket), which
/// costs one dictionary entry here; only sockets with several (an unconnected UDP server answering many
/// peers) get a set, so a per-conversation array is never allocated and removing one of many is O(1).
struct CookieIndex {
    private var single: [UInt64: Int32] = [:]
    private var several: [UInt64: Set<Int32>] = [:]

    var isEmpty: Bool { single.isEmpty && several.isEmpty }

    mutating func add(_ conversation: Int32, cookie: UInt64) {
        if several[cookie] != nil {
            several[cookie]!.insert(conversation)
        } else if let first = single.removeValue(forKey: cookie) {
            several[cookie] = [first, conversation]
        } else {
            single[cookie] = conversation
        }
    }

    mutating func remove(_ conversation: Int32, cookie: UInt64) {
        if single[cookie] == conversation {
            single.removeValue(forKey: cookie)
        } else if several[cookie] != nil {
            several[cookie]!.remove(conversation)
            if several[cookie]!.isEmpty { several.removeValue(forKey: cookie) }
        }
    }

    /// The conversations of `cookie`, in slot order.
    func conversations(of cookie: UInt64) -> [Int32] {
        if let one = single[cookie] { return [one] }
        return several[cookie].map { $0.sorted() } ?? []
    }

    /// Gives back the room a burst of sockets left (`Dictionary.shrinkIfSparse`).
    mutating func shrinkIfSparse() {
        single.shrinkIfSparse()
        several.shrinkIfSparse()
    }

    /// Forgets `cookie` and returns its conversations, in slot order.
    mutating func removeAll(of cookie: UInt64) -> [Int32] {
        if let one = single.removeValue(forKey: cookie) { return [one] }
        return several.removeValue(forKey: cookie).map { $0.sorted() } ?? []
    }
}
