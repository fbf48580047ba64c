import CProcscopeLinux
import Glibc

/// One of procscope's eBPF objects (C sources in `CProcscopeLinux/bpf/`, bytes in `bpf_objects.c`), loaded
/// through libbpf (`bpf_loader.c`): libbpf reads the maps from the object's BTF, creates them, points the
/// programs' map references at them, loads the programs and attaches them to a cgroup through BPF links.
///
/// The object owns every descriptor: links are destroyed (which detaches the programs) and maps and programs
/// closed in `deinit`, and the kernel detaches the links itself if procscope dies, however it dies.
final class BPFObject {
    private let object: OpaquePointer

    /// Opens the ELF `bytes` and loads the programs named in `programs` (the object's other programs are left
    /// unloaded: variants for other kernels). Throws with the verifier's log when the kernel refuses one.
    init(named name: String, bytes: UnsafeRawBufferPointer, programs: [String]) throws {
        var log = [CChar](repeating: 0, count: 16 * 1024)
        let names = programs.map { strdup($0) }
        defer { names.forEach { free($0) } }
        let loaded = names.map { UnsafePointer($0) }.withUnsafeBufferPointer { names in
            log.withUnsafeMutableBufferPointer { log in
                ps_bpf_object_load(name, bytes.baseAddress, bytes.count, names.baseAddress, names.count,
                                   log.baseAddress, log.count)
            }
        }
        guard let loaded else {
            let log = String(decoding: log.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw KernelHookError.kernel(step: "bpf(BPF_PROG_LOAD, \(programs.joined(separator: ", ")))",
                                         errno: errno, log: log)
        }
        object = loaded
    }

    deinit {
        ps_bpf_object_close(object)
    }

    /// Attaches the loaded program `program` to the cgroup v2 directory `cgroup`, at the hook its section
    /// names (cgroup/sock_create, cgroup_skb/egress...), through a BPF link.
    func attach(_ program: String, toCgroup cgroup: String) throws {
        let directory = open(cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directory >= 0 else { throw KernelHookError.kernel(step: "open(\(cgroup))", errno: errno, log: "") }
        defer { close(directory) }
        guard ps_bpf_object_attach_cgroup(object, program, directory) == 0 else {
            throw KernelHookError.kernel(step: "bpf(BPF_LINK_CREATE, \(program)) on \(cgroup)", errno: errno, log: "")
        }
    }

    /// The descriptor of the map `name` (valid while this object lives).
    func map(_ name: String) throws -> Int32 {
        let descriptor = ps_bpf_object_map(object, name)
        guard descriptor >= 0 else { throw KernelHookError.kernel(step: "libbpf: no map \(name)", errno: ENOENT, log: "") }
        return descriptor
    }

    /// BPF_MAP_LOOKUP_ELEM: whether `map` holds `key`, with its value written into `value`.
    static func lookup<Key: BitwiseCopyable, Value: BitwiseCopyable>(_ map: Int32, _ key: inout Key,
                                                                     into value: inout Value) -> Bool {
        withUnsafeBytes(of: &key) { key in
            withUnsafeMutableBytes(of: &value) { ps_bpf_map_lookup(map, key.baseAddress, $0.baseAddress) == 0 }
        }
    }
}
