/// The processes an Apple pcapng file names (macOS `tcpdump -k`, `--apple-pcapng`): Apple's experimental
/// process information block (type 0x80000001: a 32-bit pid, then options 2 = name, 3 = path), and each
/// enhanced packet's option 0x8001 giving the index of its process's block within the section (0x8003: the
/// effective process, when another process acted for it). Codes from Apple's libpcap `pcap-ng.h`
/// (PCAPNG_BT_PIB, PCAPNG_PIB_NAME, PCAPNG_PIB_PATH, PCAPNG_EPB_PIB_INDEX, PCAPNG_EPB_E_PIB_INDEX); blocks
/// are numbered from 0 in the order they appear, as Apple's tcpdump looks them up (`pcap_find_proc_info_by_index`).
///
/// A class, so the reader (a struct, mutated while it hands frames over) and the file source share one
/// table: the source looks a frame's process up from within the reader's handler.
public final class AppleProcessTable {
    public struct Process: Equatable, Sendable {
        public var pid: Int32
        public var name: String
    }

    public private(set) var processes: [Process] = []

    public init() {}

    static let blockType: UInt32 = 0x8000_0001
    static let packetProcessOption: UInt16 = 0x8001

    func append(_ process: Process) { processes.append(process) }

    /// A new section numbers its blocks from 0 again.
    func reset() { processes.removeAll(keepingCapacity: true) }

    /// The process at `index` (from a packet's option), nil when the file named none there.
    public func process(at index: Int32) -> Process? {
        index >= 0 && Int(index) < processes.count ? processes[Int(index)] : nil
    }

    /// How audit lists such a packet's owner: `pid/name`, the name defused (it comes from the file).
    public func label(at index: Int32) -> String? {
        process(at: index).map { ConversationOwner.label(pid: $0.pid, name: $0.name) }
    }
}
