import ProcscopeCore

/// The kernel's records of sockets by cookie: the process that created each and the one that released it
/// (`SocketReleaseRecorder`, eBPF). Behind a protocol so the resolver's use of them is tested without root.
protocol SocketRecords: AnyObject {
    /// The process that created the socket with this cookie, when its creation was recorded.
    func creator(cookie: UInt64) -> Int32?
    /// Who held the socket with this cookie when it was released, if it has been, and who created it.
    func lastHolder(cookie: UInt64) -> ReleasedSocket?
}

/// The kernel's records of the packets that opened flows (`FirstSendRecorder`, eBPF).
protocol FirstSendRecords: AnyObject {
    /// The record of the packet that opened an outgoing flow in the namespace whose cookie is given.
    func firstSend(of key: FlowKey, namespaceCookie: UInt64) -> FirstSend?
}

extension SocketReleaseRecorder: SocketRecords {}
extension FirstSendRecorder: FirstSendRecords {}
