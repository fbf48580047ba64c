/// What procscope learned about the socket behind an attribution: rides along for audit and lets a later
/// close event (which carries only the cookie) end the right conversation.
public struct SocketEvidence: Hashable, Sendable {
    public var inode: UInt32
    /// The kernel's socket cookie (sock_diag `idiag_cookie`): unique for the socket's lifetime.
    public var cookie: UInt64
    public var uid: UInt32

    public init(inode: UInt32, cookie: UInt64, uid: UInt32) {
        self.inode = inode
        self.cookie = cookie
        self.uid = uid
    }
}
