/// Wireshark's process information block, and the pcapng standard's per-packet process id: the two ways a
/// pcapng file tells Wireshark which process a packet belongs to, so that its columns and filters can use it.
///
/// - `epb_processid_threadid` (enhanced packet block option 8, draft-ietf-opsawg-pcapng "Enhanced Packet Block
///   Options"): the process id and the thread id, two 32-bit integers in the section's byte order; 0 where
///   unknown. Wireshark 4.0, as Debian ships it, skips it silently.
/// - The process information block (PIB), proposed for the pcapng draft in
///   https://github.com/IETF-OPSAWG-WG/draft-ietf-opsawg-pcap/pull/209 and, until it has a block type of its
///   own, carried in a Wireshark custom block: block type 0x00000BAD (copyable custom block), the Wireshark
///   Foundation's enterprise number 32622, a block entry type (3, process information) and the entry's length,
///   then the entry: a 32-bit process id and options (2 name, 3 path, 4 command line, arguments separated by
///   NUL, 5 parent pid, 6 uid, 7 user, 8 UUID, 9 start time in nanoseconds since the Epoch). The entry is
///   little-endian whatever the section's byte order. Codes and layout from Wireshark's
///   `wiretap/pcapng-wireshark-custom.c` and its test capture generator (`process_info_wireshark_cb.pcapng`).
///   Wireshark's development branch reads these blocks into a table that packets find by process id; older
///   Wireshark (and tshark 4.0) list each one as a frame of its own ("Custom Block"), which is why procscope
///   writes them only when asked (`--process-blocks`).
public enum WiresharkProcessBlock {
    static let customBlockType: UInt32 = 0x0000_0BAD
    /// A custom block that rewriters should not copy (the other custom block type Wireshark accepts here).
    static let nonCopyableCustomBlockType: UInt32 = 0x4000_0BAD
    static let wiresharkEnterpriseNumber: UInt32 = 32622
    static let processInformationEntry: UInt32 = 3
    /// `epb_processid_threadid`.
    static let packetProcessOption: UInt16 = 8

    enum Option {
        static let name: UInt16 = 2
        static let path: UInt16 = 3
        static let commandLine: UInt16 = 4
        static let parentPID: UInt16 = 5
        static let uid: UInt16 = 6
        static let user: UInt16 = 7
        static let startTime: UInt16 = 9
    }

    /// The whole block (little-endian, as procscope's sections are) describing `process`.
    public static func encode(_ process: ProcessIdentity) -> [UInt8] {
        var options: [(UInt16, [UInt8])] = [(Option.name, Array(process.name.utf8))]
        if let executable = process.executable { options.append((Option.path, Array(executable.utf8))) }
        if !process.commandLine.isEmpty {
            options.append((Option.commandLine, Array(process.commandLine.joined(separator: "\0").utf8)))
        }
        if process.parentPID > 0 { options.append((Option.parentPID, littleEndian(UInt32(process.parentPID)))) }
        options.append((Option.uid, littleEndian(process.uid)))
        if let user = process.userName { options.append((Option.user, Array(user.utf8))) }
        if process.startTime.microseconds > 0 {
            options.append((Option.startTime, littleEndian(UInt64(process.startTime.microseconds) &* 1000)))
        }
        // Wireshark leaves out empty options and any longer than an option can say.
        var entry = littleEndian(UInt32(bitPattern: process.pid))
        entry += PcapngWriter.options(options.filter { !$0.1.isEmpty && $0.1.count <= Int(UInt16.max) })
        var body = littleEndian(wiresharkEnterpriseNumber)
        body += littleEndian(processInformationEntry)
        body += littleEndian(UInt32(entry.count))
        body += entry // already a multiple of 4 bytes
        return PcapngWriter.block(customBlockType, body)
    }

    private static func littleEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }

    /// The process a custom block's body (after the block type and length) describes, nil when the block is
    /// someone else's or not a process information entry. `order` reads the enterprise number (in the
    /// section's order); the entry itself is little-endian.
    static func decode(_ body: UnsafeRawBufferPointer, order: FileByteOrder) -> WiresharkProcessTable.Process? {
        guard body.count >= 16, order.u32(body, 0) == wiresharkEnterpriseNumber else { return nil }
        let little = FileByteOrder(swapped: !isLittleEndianHost)
        guard little.u32(body, 4) == processInformationEntry else { return nil }
        let length = Int(little.u32(body, 8))
        guard length >= 4, length <= body.count - 12 else { return nil }
        let entry = UnsafeRawBufferPointer(rebasing: body[12..<(12 + length)])
        var process = WiresharkProcessTable.Process(pid: Int32(bitPattern: little.u32(entry, 0)), name: "",
                                                    startNanoseconds: nil)
        PcapngFileReader.forEachOption(UnsafeRawBufferPointer(rebasing: entry[4...]), order: little) { code, value in
            switch code {
            case Option.name: process.name = String(decoding: value.prefix { $0 != 0 }, as: UTF8.self)
            case Option.startTime where value.count == 8: process.startNanoseconds = little.u64(value, 0)
            default: break
            }
        }
        return process
    }

    private static var isLittleEndianHost: Bool { UInt16(1).littleEndian == 1 }
}
