import Glibc

/// A regular file mapped read-only into memory (mmap), so that capture files are read without a copy or a
/// read call per frame. Unmapped in `deinit`. The file must not shrink while mapped (a truncation under the
/// reader would fault); capture files being appended to are fine.
final class MappedFile {
    let bytes: UnsafeRawBufferPointer

    /// Maps `path`; nil when it is not a regular file (a pipe, standard input), which must be streamed instead.
    init?(path: String) throws {
        let fd = try retryingSystemCall("open", subject: path) { open(path, O_RDONLY | O_CLOEXEC) }
        defer { close(fd) }
        var status = stat()
        try retryingSystemCall("fstat", subject: path) { fstat(fd, &status) }
        guard status.st_mode & S_IFMT == S_IFREG else { return nil }
        let size = Int(status.st_size)
        guard size > 0 else {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            throw SystemCallError(call: "mmap", errno: errno, subject: path)
        }
        madvise(base, size, MADV_SEQUENTIAL | MADV_WILLNEED)
        bytes = UnsafeRawBufferPointer(start: base, count: size)
    }

    /// Where the pages before which `releaseBehind` has dropped everything end.
    private var released = 0

    /// Drops the mapped pages before `offset` from memory (madvise MADV_DONTNEED; read again from the file
    /// if touched): a 10 GB file read to the end then never shows 10 GB resident. In steps of 8 MiB.
    func releaseBehind(_ offset: Int) {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let end = min(offset, bytes.count) / page * page
        guard end - released >= 8 << 20, let base = bytes.baseAddress else { return }
        madvise(UnsafeMutableRawPointer(mutating: base + released), end - released, MADV_DONTNEED)
        released = end
    }

    deinit {
        if let base = bytes.baseAddress { munmap(UnsafeMutableRawPointer(mutating: base), bytes.count) }
    }
}
