/// Where an `AnnotatedCaptureWriter` puts its blocks: a file, or several when rotated by size.
public protocol AnnotatedCaptureOutput: AnyObject {
    /// Appends one block (buffered; `flush` hands it to the file).
    func write(_ block: [UInt8])
    /// Called before each packet: starts the next file when the current one is full (writing its section and
    /// interface blocks) and says so, so that the records the next packets need are written there again.
    func startsNewFileIfFull() -> Bool
    /// Hands what is buffered to the file (once per capture-loop turn and at the end).
    func flush()
}
