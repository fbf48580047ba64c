/// Which way a frame went, seen from the local socket.
public enum Direction: UInt8, Sendable {
    case transmitted
    case received
}
